/** Pieces of the two-step set-up on the security page: the key by hand, and the recovery codes. */
import { useEffect, useState } from 'react';
import { CopyButton } from '../ui.tsx';

/** The TOTP key in groups of four, as authenticator apps show it, with a copy button. */
export function SecretKey({ secret }: { secret: string }) {
  return (
    <div className="secret-row">
      <span className="muted">Key</span>
      <code className="secret" data-testid="totp-secret" data-secret={secret}>
        {secret.match(/.{1,4}/g)?.join(' ')}
      </code>
      <CopyButton text={secret} label="Copy key" />
    </div>
  );
}

/** The one-time list of recovery codes, to copy or to save as a text file. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const text = `Gatehouse recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);
  return (
    <>
      <p>
        Save these recovery codes somewhere safe. Each one signs you in once if you lose your phone; they are
        not shown again.
      </p>
      <ul className="codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="form-actions">
        <CopyButton text={text} label="Copy codes" />
        {href ? (
          <a className="btn btn-secondary btn-small" href={href} download="gatehouse-recovery-codes.txt">
            Download as a file
          </a>
        ) : null}
      </div>
    </>
  );
}

/**
 * The profile: details (name, phone, address), the photo, and the account's deletion. Phone
 * numbers are read with the server's own rules (src/domain/phone.ts: libphonenumber-js, in this
 * page's chunk only), nationally for the server's default country. Each card says how its last
 * action went, and only the card acted on last says anything, so an old "saved" never sits next to
 * a newer photo error.
 */
import { useEffect, useState } from 'react';
import {
  countryName,
  displayPhone,
  foreignExample,
  parsePhone,
  phoneProblem,
} from '../../../src/domain/phone.ts';
import { PROFILE_MAX } from '../../../src/http/schemas/formats.ts';
import { ApiError, api, type Me } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useClientConfig } from '../config.ts';
import { useForm } from '../form.ts';
import { Button, Card, Field, formatDay, Loading, messageOf, Notice } from '../ui.tsx';
import { countryProblem, textProblem } from '../validate.ts';
import { ChangeEmail } from './change-email.tsx';
import { DeleteAccount, PhotoCard } from './profile-parts.tsx';

const FIELDS = ['name', 'phone', 'line1', 'line2', 'city', 'region', 'postal_code', 'country'] as const;
type Values = Record<(typeof FIELDS)[number], string>;
/**
 * Unsaved edits survive a sign-in round trip (a 401 while saving): kept in this tab only, and given
 * back only to the account that typed them (someone else may sign in on this tab).
 */
const DRAFT = 'gatehouse.profile-draft';
interface Draft {
  user_id: string;
  values: Values;
}

const valuesOf = (me: Me, phoneCountry: string | null): Values => ({
  name: me.name ?? '',
  phone:
    me.phone_number && phoneCountry ? displayPhone(me.phone_number, phoneCountry) : (me.phone_number ?? ''),
  line1: me.address?.line1 ?? '',
  line2: me.address?.line2 ?? '',
  city: me.address?.city ?? '',
  region: me.address?.region ?? '',
  postal_code: me.address?.postal_code ?? '',
  country: me.address?.country ?? '',
});

/** Keeps or removes the draft; where the browser allows no storage, there is none to keep. */
function storeDraft(draft: Draft | null): void {
  try {
    if (draft) sessionStorage.setItem(DRAFT, JSON.stringify(draft));
    else sessionStorage.removeItem(DRAFT);
  } catch {
    // Storage disabled or full: the edits are lost with the session, as they would be without this.
  }
}

/** Read only: a render React throws away must not use the draft up (it is removed once shown). */
function readDraft(userId: string): Values | null {
  try {
    const draft = JSON.parse(sessionStorage.getItem(DRAFT) ?? 'null') as Draft | null;
    return draft?.user_id === userId ? draft.values : null;
  } catch {
    return null;
  }
}

function Details({
  me,
  phoneCountry,
  onSaved,
  current,
  onAct,
}: {
  me: Me;
  /** The server's PHONE_DEFAULT_COUNTRY; null until it is known (the server then judges alone). */
  phoneCountry: string | null;
  onSaved: (me: Me) => void;
  /** Whether this card was acted on last (only then its notice shows). */
  current: boolean;
  onAct: () => void;
}) {
  const [draft] = useState(() => readDraft(me.user_id));
  const [v, setV] = useState<Values>(draft ?? valuesOf(me, phoneCountry));
  // Shown, it is used up; another account's is dropped here too, not kept for a later visit.
  useEffect(() => storeDraft(null), []);
  const [saved, setSaved] = useState<string | null>(null);
  const problems = {
    name: textProblem(v.name, PROFILE_MAX.name),
    phone: phoneCountry ? phoneProblem(v.phone, phoneCountry, navigator.language) : null,
    line1: textProblem(v.line1, PROFILE_MAX.line1),
    line2: textProblem(v.line2, PROFILE_MAX.line2),
    city: textProblem(v.city, PROFILE_MAX.city),
    region: textProblem(v.region, PROFILE_MAX.region),
    postal_code: textProblem(v.postal_code, PROFILE_MAX.postal_code),
    country: countryProblem(v.country.trim()),
  };
  const form = useForm(problems, { phone_number: 'phone' });
  const field = (key: keyof Values, label: string, autoComplete: string, extra = {}) => (
    <Field
      label={label}
      name={key}
      autoComplete={autoComplete}
      value={v[key]}
      onChange={(e) => {
        setV({ ...v, [key]: e.target.value });
        setSaved(null);
        form.changed(key);
      }}
      onBlur={form.leave(key)}
      error={form.show(key)}
      {...extra}
    />
  );

  const submit = form.submit(async () => {
    onAct();
    setSaved(null);
    const t = (s: string) => s.trim();
    const address = Object.fromEntries(
      (['line1', 'line2', 'city', 'region', 'postal_code', 'country'] as const)
        .filter((k) => t(v[k]))
        .map((k) => [k, k === 'country' ? t(v[k]).toUpperCase() : t(v[k])]),
    );
    const out = await api
      .updateMe({
        name: t(v.name) || null,
        phone_number: t(v.phone)
          ? ((phoneCountry && parsePhone(t(v.phone), phoneCountry)?.e164) ?? t(v.phone))
          : null,
        address: Object.keys(address).length ? address : null,
      })
      .catch((err: unknown) => {
        // The session ended: the app goes to sign-in; these edits wait here for the way back.
        if (err instanceof ApiError && err.status === 401) storeDraft({ user_id: me.user_id, values: v });
        throw err;
      });
    setV(valuesOf(out.user, phoneCountry));
    onSaved(out.user);
    setSaved('Your profile is saved.');
  });

  return (
    <Card title="Your details">
      <form onSubmit={submit} noValidate>
        {saved && current ? <Notice kind="success">{saved}</Notice> : null}
        {draft && !saved ? (
          <Notice kind="info">Your unsaved changes are back: save them when ready.</Notice>
        ) : null}
        {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
        <Field
          label="Email"
          name="email"
          value={me.email}
          readOnly
          hint={
            me.email_verified
              ? 'Confirmed. It is your sign-in name: change it in "Change email address".'
              : 'Not confirmed'
          }
        />
        {field('name', 'Name', 'name')}
        {field('phone', 'Phone', 'tel', {
          type: 'tel',
          hint: phoneCountry
            ? `As you dial it at home (${countryName(phoneCountry, navigator.language)}), or with + and the country code, e.g. ${foreignExample(phoneCountry)}.`
            : 'With its country code, e.g. +44 20 7946 0958.',
          // Shown as it is dialled at home, or internationally: what the user will see saved.
          onBlur: () => {
            form.leave('phone')();
            const parsed = phoneCountry ? parsePhone(v.phone.trim(), phoneCountry) : null;
            if (parsed && phoneCountry)
              setV((now) => ({ ...now, phone: displayPhone(parsed.e164, phoneCountry) }));
          },
        })}
        {field('line1', 'Street address', 'address-line1')}
        {field('line2', 'Address line 2 (optional)', 'address-line2')}
        <div className="row">
          {field('city', 'City', 'address-level2')}
          {field('region', 'Region or state', 'address-level1')}
        </div>
        <div className="row">
          {field('postal_code', 'Postal code', 'postal-code')}
          {field('country', 'Country code', 'country', { maxLength: 2, hint: 'Two letters, e.g. GB' })}
        </div>
        <Button type="submit" busy={form.busy}>
          Save profile
        </Button>
      </form>
    </Card>
  );
}

export default function Profile() {
  const { setUser } = useAuth();
  const config = useClientConfig();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [acted, setActed] = useState<'details' | 'photo' | null>(null);
  useEffect(() => {
    api.me().then(setMe, (e) => setError(messageOf(e)));
  }, []);
  const changed = (fresh: Me) => {
    setMe(fresh);
    setUser(fresh);
  };
  if (!me) {
    return error ? (
      <Notice kind="error">
        {error}{' '}
        <Button kind="link" onClick={() => window.location.reload()}>
          Try again
        </Button>
      </Notice>
    ) : (
      <Loading />
    );
  }
  return (
    <div>
      <h1 tabIndex={-1}>Profile</h1>
      <p className="muted page-lead">
        Member since {formatDay(me.created_at)} · Plan: {me.plan.charAt(0).toUpperCase() + me.plan.slice(1)}
      </p>
      <div className="grid-2">
        <Details
          me={me}
          phoneCountry={config?.phone_default_country ?? null}
          onSaved={changed}
          current={acted === 'details'}
          onAct={() => setActed('details')}
        />
        <div className="stack">
          <PhotoCard
            me={me}
            onChanged={async () => changed(await api.me())}
            current={acted === 'photo'}
            onAct={() => setActed('photo')}
          />
          <ChangeEmail me={me} onChanged={changed} />
          <DeleteAccount />
        </div>
      </div>
    </div>
  );
}

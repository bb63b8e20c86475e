/** The dialog where an administrator picks a user's groups (the server's KNOWN_GROUPS). */
import { useId, useState } from 'react';
import { KNOWN_GROUPS } from '../../../src/domain/groups.ts';
import type { AdminUsers } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Modal } from '../dialog.tsx';
import { Button } from '../ui.tsx';

const ABOUT: Record<string, string> = {
  admin: 'Can see every user and the audit trail, and change them.',
  user: 'A regular account (every confirmed user is in it).',
};

export function GroupsDialog({
  user,
  onClose,
}: {
  user: AdminUsers['users'][number];
  /** The new set of groups, or null when canceled. */
  onClose: (groups: string[] | null) => void;
}) {
  const { user: me } = useAuth();
  const id = useId();
  const [groups, setGroups] = useState(new Set(user.groups));
  const self = user.user_id === me?.user_id;
  // Groups the user has that this build does not know stay as they are.
  const all = [...new Set([...KNOWN_GROUPS, ...user.groups])];
  return (
    <Modal labelledBy={`${id}-title`} onCancel={() => onClose(null)}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onClose(all.filter((g) => groups.has(g)));
        }}
      >
        <h2 id={`${id}-title`}>Groups of {user.email}</h2>
        <fieldset className="checks">
          <legend className="visually-hidden">Groups</legend>
          {all.map((g) => {
            const locked = self && g === 'admin';
            return (
              <label key={g} className="check-row">
                <input
                  type="checkbox"
                  checked={groups.has(g)}
                  disabled={locked}
                  onChange={(e) => {
                    const next = new Set(groups);
                    if (e.target.checked) next.add(g);
                    else next.delete(g);
                    setGroups(next);
                  }}
                />
                <span>
                  <strong>{g}</strong>
                  <span className="muted small">
                    {' '}
                    {locked ? 'You cannot remove your own admin rights.' : (ABOUT[g] ?? '')}
                  </span>
                </span>
              </label>
            );
          })}
        </fieldset>
        <p className="muted small">Removing a group signs the user out, so old sessions lose it at once.</p>
        <div className="dialog-actions">
          <Button type="button" kind="secondary" onClick={() => onClose(null)}>
            Cancel
          </Button>
          <Button type="submit">Save groups</Button>
        </div>
      </form>
    </Modal>
  );
}

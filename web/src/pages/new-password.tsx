/** A new-password field (sign-up, reset, change): the rule, then live progress, as the user types. */
import { Field } from '../ui.tsx';
import type { PasswordRules } from '../validate.ts';
import { passwordProgress } from '../validate.ts';

function PasswordHint({
  password,
  rules,
  problem,
}: {
  password: string;
  rules: PasswordRules | null;
  problem: string | null;
}) {
  const progress = passwordProgress(password, rules);
  return (
    <>
      {rules ? `At least ${rules.policy.minLength} characters. ` : null}Long and unusual beats short and
      clever: try four unrelated words.
      {password && progress ? <strong className="progress-note"> {progress}.</strong> : null}
      {password && !progress && problem ? <strong className="progress-note"> {problem}</strong> : null}
      {password && !progress && !problem ? (
        <strong className="ok-note"> Long enough, and not a common password.</strong>
      ) : null}
    </>
  );
}

/** The parts of useForm the field uses, for one field of it. */
interface FormField {
  show(field: string): string | null;
  leave(field: string): () => void;
  changed(field: string): void;
}

export function NewPasswordField({
  label,
  field,
  value,
  setValue,
  form,
  rules,
  problem,
}: {
  label: string;
  /** The field's key in the form, also its input name. */
  field: string;
  value: string;
  setValue: (value: string) => void;
  form: FormField;
  rules: PasswordRules | null;
  /** The password's problem as it stands, for the live hint. */
  problem: string | null;
}) {
  return (
    <Field
      label={label}
      name={field}
      type="password"
      autoComplete="new-password"
      value={value}
      onChange={(e) => {
        setValue(e.target.value);
        form.changed(field);
      }}
      onBlur={form.leave(field)}
      error={form.show(field)}
      hint={<PasswordHint password={value} rules={rules} problem={problem} />}
    />
  );
}

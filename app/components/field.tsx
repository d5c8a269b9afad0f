import { useId } from "react";

type Labelled = { label: string; error?: string; hint?: React.ReactNode };
type InputProps = Labelled & React.InputHTMLAttributes<HTMLInputElement> & { multiline?: false };
type TextAreaProps = Labelled & React.TextareaHTMLAttributes<HTMLTextAreaElement> & { multiline: true };

/**
 * A labelled input (or, with `multiline`, a textarea) whose hint and error are
 * linked for screen readers and whose error is announced.
 */
export function Field(props: InputProps | TextAreaProps) {
  const generated = useId();
  const { label, error, hint, multiline, ...control } = props;
  const id = control.id ?? generated;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const linked = { id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...linked} {...(control as React.TextareaHTMLAttributes<HTMLTextAreaElement>)} />
      ) : (
        <input {...linked} {...(control as React.InputHTMLAttributes<HTMLInputElement>)} />
      )}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormError({ message }: { message?: string }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

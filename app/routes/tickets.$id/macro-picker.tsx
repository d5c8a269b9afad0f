import { useId, useState } from "react";

type Macro = { id: string; name: string; text: string };

/**
 * Inserts a canned reply, already rendered for this ticket on the server, into
 * the reply box at the cursor; the maintainer edits it before sending.
 */
export function MacroPicker({ macros, target }: { macros: Macro[]; target: string }) {
  const id = useId();
  const [chosen, setChosen] = useState(macros[0]?.id ?? "");
  if (!macros.length) return null;
  const insert = () => {
    const macro = macros.find((m) => m.id === chosen);
    const box = document.querySelector<HTMLTextAreaElement>(`textarea[data-macro-target="${target}"]`);
    if (!macro || !box) return;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + macro.text + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + macro.text.length, start + macro.text.length);
  };
  return (
    <div className="row macro-picker">
      <label htmlFor={id}>Canned reply</label>
      <select id={id} value={chosen} onChange={(e) => setChosen(e.target.value)}>
        {macros.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      <button type="button" className="secondary" onClick={insert}>
        Insert reply
      </button>
    </div>
  );
}

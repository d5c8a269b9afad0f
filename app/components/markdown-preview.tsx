import { useEffect, useRef, useState, type ReactNode } from "react";
import { useHydrated } from "~/utils/use-hydrated";

type Preview = { state: "idle" } | { state: "loading" } | { state: "done"; html: string } | { state: "failed"; message: string };

/** The server's rendering of this Markdown (POST /api/v1/previews), or the refusal posting it would get. */
async function renderPreview(body: string): Promise<Preview> {
  try {
    const res = await fetch("/api/v1/previews", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ body }),
    });
    const json = (await res.json()) as { html?: string; error?: { message: string; fields?: Record<string, string> } };
    if (res.ok && typeof json.html === "string") return { state: "done", html: json.html };
    return { state: "failed", message: json.error?.fields?.body ?? json.error?.message ?? "The preview could not be made." };
  } catch {
    return { state: "failed", message: "The preview could not be loaded; check your connection. Your text is kept." };
  }
}

/**
 * Write / Preview for a Markdown textarea (the children). The preview is rendered by the server, by the same
 * renderer and sanitizer as the stored post, so what it shows is what will be posted. The textarea stays in
 * the form while previewing, so posting from either view sends the text. Without JavaScript there is no
 * toggle and the form posts as before.
 */
export function MarkdownPreview({ children }: { children: ReactNode }) {
  const hydrated = useHydrated();
  const [mode, setMode] = useState<"write" | "preview">("write");
  const [preview, setPreview] = useState<Preview>({ state: "idle" });
  const box = useRef<HTMLDivElement>(null);

  // A browser cannot point at an invalid field it cannot show: back to Write when the form is checked,
  // and when it is sent (a reply box is emptied for the next reply).
  useEffect(() => {
    const element = box.current;
    const form = element?.closest("form");
    if (!element) return;
    const write = () => setMode("write");
    element.addEventListener("invalid", write, true);
    form?.addEventListener("submit", write);
    return () => {
      element.removeEventListener("invalid", write, true);
      form?.removeEventListener("submit", write);
    };
  }, []);

  const showPreview = async () => {
    const text = box.current?.querySelector("textarea")?.value ?? "";
    setMode("preview");
    if (!text.trim()) return setPreview({ state: "failed", message: "Nothing to preview yet." });
    setPreview({ state: "loading" });
    setPreview(await renderPreview(text));
  };

  return (
    <div className="markdown-preview">
      {hydrated ? (
        <div className="preview-toggle" role="group" aria-label="Write or preview">
          <button type="button" className="secondary" aria-pressed={mode === "write"} onClick={() => setMode("write")}>
            Write
          </button>
          <button type="button" className="secondary" aria-pressed={mode === "preview"} onClick={showPreview}>
            Preview
          </button>
        </div>
      ) : null}
      <div ref={box} hidden={mode === "preview"}>
        {children}
      </div>
      {mode === "preview" ? (
        <div className="card preview-pane" aria-live="polite" aria-busy={preview.state === "loading"}>
          {preview.state === "loading" ? <p className="hint">Rendering the preview…</p> : null}
          {preview.state === "failed" ? (
            <p className="field-error" role="alert">
              {preview.message}
            </p>
          ) : null}
          {/* Sanitized by the server with the posts' allow-list (docs/decisions/006). */}
          {preview.state === "done" ? <div className="post-body prose" dangerouslySetInnerHTML={{ __html: preview.html }} /> : null}
        </div>
      ) : null}
    </div>
  );
}

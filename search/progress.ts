// A progress bar for long command-line work: redrawn in place on a terminal,
// plain lines (every 10% or 5 seconds) when the output is a file or a pipe.

type Stream = { write(chunk: string): unknown; isTTY?: boolean; columns?: number };

export type ProgressOptions = {
  label: string;
  total: number;
  unit?: string;
  stream?: Stream;
  /** Overrides what the stream says about itself. */
  tty?: boolean;
  now?: () => number;
};

const number = (n: number) => Math.round(n).toLocaleString("en-US");

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export class Progress {
  private readonly stream: Stream;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private done = 0;
  private total: number;
  private lastDraw = 0;
  private lastPercentStep = -1;
  private finished = false;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stdout;
    this.tty = opts.tty ?? Boolean(this.stream.isTTY);
    this.now = opts.now ?? Date.now;
    this.started = this.now();
    this.total = Math.max(0, opts.total);
  }

  update(done: number, total = this.total) {
    if (this.finished) return;
    this.done = done;
    this.total = Math.max(total, done);
    const t = this.now();
    if (this.tty) {
      if (t - this.lastDraw >= 100 || done >= this.total) {
        this.lastDraw = t;
        this.stream.write(`\r${this.line(true)}\u001b[K`);
      }
      return;
    }
    const step = this.total ? Math.floor((done / this.total) * 10) : 10;
    if (step > this.lastPercentStep || t - this.lastDraw >= 5000) {
      this.lastPercentStep = step;
      this.lastDraw = t;
      this.stream.write(`${this.line(false)}\n`);
    }
  }

  finish(message?: string) {
    if (this.finished) return;
    if (this.tty) this.stream.write(`\r${this.line(true)}\u001b[K\n`);
    else if (this.lastPercentStep < 10) this.stream.write(`${this.line(false)}\n`);
    this.finished = true;
    if (message) this.stream.write(`${message}\n`);
  }

  /** Items per second since the start. */
  rate(): number {
    const seconds = (this.now() - this.started) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  line(bar: boolean): string {
    const unit = this.opts.unit ?? "items";
    const fraction = this.total ? Math.min(1, this.done / this.total) : 1;
    const rate = this.rate();
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const counts = `${number(this.done)}/${number(this.total)} ${unit}`;
    const speed = `${number(rate)} ${unit}/s`;
    const timing = this.done >= this.total ? `in ${formatDuration((this.now() - this.started) / 1000)}` : `ETA ${formatDuration(eta)}`;
    if (!bar) return `${this.opts.label}: ${percent.trim()} ${counts}, ${speed}, ${timing}`;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 70));
    const filled = Math.round(fraction * width);
    return `${this.opts.label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${percent} ${counts} · ${speed} · ${timing}`;
  }
}

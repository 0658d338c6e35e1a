/** How long "X is typing…" shows after a notification; clients send one every few seconds while typing. */
const SHOWN_MS = 8000;

/** Who in the open thread is typing, from live `typing` updates: "Alice is typing…", gone after a pause or a send. */
export class TypingIndicator {
  private readonly typers = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly show: (text: string) => void) {}

  started(userId: string, name: string): void {
    clearTimeout(this.typers.get(userId)?.timer);
    this.typers.set(userId, { name, timer: setTimeout(() => this.stopped(userId), SHOWN_MS) });
    this.render();
  }

  stopped(userId: string): void {
    const typer = this.typers.get(userId);
    if (!typer) return;
    clearTimeout(typer.timer);
    this.typers.delete(userId);
    this.render();
  }

  clear(): void {
    for (const userId of [...this.typers.keys()]) this.stopped(userId);
  }

  private render(): void {
    const names = [...this.typers.values()].map((typer) => typer.name);
    this.show(
      names.length === 0
        ? ''
        : names.length === 1
          ? `${names[0]} is typing…`
          : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`,
    );
  }
}

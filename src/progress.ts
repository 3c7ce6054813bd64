// A progress line on stderr for scans longer than about two seconds, on a TTY only.
export interface Progress {
  update: (phase: string, done: number, total: number) => void;
  done: () => void;
}

export function createProgress(stream: NodeJS.WriteStream, delayMs = 2000): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(phase, done, total) {
      const now = Date.now();
      if (now - start < delayMs || now - last < 100) return;
      last = now;
      shown = true;
      const line = `stepup-audit: ${phase} ${done}/${total}`;
      stream.write(`\r${line}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

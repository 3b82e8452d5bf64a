// A strict little SSE reader for tests that check the fake's (or the relay's) framing byte for byte.

/** One SSE event as sent: its `event:` name (null when absent), the raw `data:` text and that text parsed as JSON. */
export interface ParsedSse {
  event: string | null;
  raw: string;
  /** JSON.parse(raw), or undefined when it is not JSON (e.g. `[DONE]`). */
  data: any;
}

/** Splits an SSE body into events (LF or CRLF line ends; multi-line data joined with '\n'). */
export function parseSse(text: string): ParsedSse[] {
  const out: ParsedSse[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    if (!block.trim()) continue;
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    const raw = data.join('\n');
    let parsed: any;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    out.push({ event, raw, data: parsed });
  }
  return out;
}

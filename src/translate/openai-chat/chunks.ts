// The OpenAI chat.completion.chunk stream both converted streams write (Anthropic → chat, Gemini → chat): SSE
// framing, the chunk envelope, the role chunk that opens every answer, and `[DONE]`. What each upstream means
// stays in its own converter.

export interface ChunkContext {
  model: string;
  id: string;
  created: number;
  /** The client's `stream_options.include_usage`. */
  includeUsage: boolean;
}

type Json = Record<string, unknown>;

export const DONE = 'data: [DONE]\n\n';
export const frame = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

export abstract class ChatChunkStream {
  readonly contentType = 'text/event-stream; charset=utf-8';
  private started = false;
  /** The envelope around each chunk's delta, serialised once per stream (the same bytes JSON.stringify writes). */
  private readonly head: string;
  private readonly tail: string;

  constructor(protected readonly ctx: ChunkContext) {
    const { id, created, model } = ctx;
    this.head = `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model }).slice(0, -1)},"choices":[{"index":0,"delta":`;
    this.tail = ctx.includeUsage ? '}],"usage":null}\n\n' : '}]}\n\n';
  }

  /** One chunk; with include_usage every chunk but the last carries `usage: null`, as OpenAI sends them. */
  protected chunk(delta: Json, finish: string | null = null): string {
    return this.rawChunk(JSON.stringify(delta), finish);
  }

  /** One chunk around a delta that is already JSON text. */
  protected rawChunk(deltaJson: string, finish: string | null = null): string {
    return `${this.head}${deltaJson},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}${this.tail}`;
  }

  /** The first chunk announces the assistant role, whatever comes first. */
  protected start(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  protected delta(delta: Json): string {
    return this.start() + this.chunk(delta);
  }
}

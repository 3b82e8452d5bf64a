// OpenAI chat message content (a string, an array of content parts, or null), walked once for every target format:
// which part types each message role may carry, the checks every part gets, and the order of the result. The target
// (Anthropic blocks, Gemini parts) only says how one text, image, file or audio part becomes its own element.
import { TranslateError } from '../errors.js';

export type PartContext = 'user' | 'assistant' | 'tool' | 'system';

const ALLOWED: Record<PartContext, readonly string[]> = {
  user: ['text', 'image_url', 'file', 'input_audio'],
  assistant: ['text', 'refusal'],
  // OpenAI allows only text parts in tool messages; images are accepted too because both targets' tool results can
  // carry them (clients that route screenshots through tools send them).
  tool: ['text', 'image_url'],
  system: ['text'],
};

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a target builds its element from each kind of part (null: the part carries nothing, e.g. blank text). */
export interface PartTarget<T> {
  text(text: string): T | null;
  /** `url` as sent (a data: URL or a link); `param` names it in errors. */
  image(url: unknown, param: string): T;
  file(file: unknown, param: string): T;
  audio(audio: unknown, param: string): T;
}

function convertPart<T>(part: unknown, param: string, ctx: PartContext, to: PartTarget<T>): T | null {
  if (!isObject(part)) throw new TranslateError(`${param} must be a content part object`, param);
  const type = part.type;
  if (typeof type !== 'string' || !ALLOWED[ctx].includes(type)) {
    throw new TranslateError(`${param}.type '${String(type)}' is not supported in a ${ctx} message`, `${param}.type`);
  }
  switch (type) {
    case 'text':
    case 'refusal': {
      const text = part[type];
      if (typeof text !== 'string') throw new TranslateError(`${param}.${type} must be a string`, `${param}.${type}`);
      return to.text(text);
    }
    case 'image_url':
      return to.image(isObject(part.image_url) ? part.image_url.url : part.image_url, `${param}.image_url.url`);
    case 'file':
      return to.file(part.file, param);
    default: // input_audio
      return to.audio(part.input_audio, param);
  }
}

/** Message content → the target's elements in order, empty ones dropped. */
export function convertContent<T>(content: unknown, param: string, ctx: PartContext, to: PartTarget<T>): T[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') {
    const one = to.text(content);
    return one === null ? [] : [one];
  }
  if (!Array.isArray(content)) throw new TranslateError(`${param} must be a string or an array of content parts`, param);
  const out: T[] = [];
  content.forEach((part, i) => {
    const el = convertPart(part, `${param}[${i}]`, ctx, to);
    if (el !== null) out.push(el);
  });
  return out;
}

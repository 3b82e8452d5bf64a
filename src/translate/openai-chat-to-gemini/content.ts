// OpenAI message content (strings and parts) → Gemini parts: text, inline images/PDF/audio, file URIs (§6.9, §6.10 #2).
import { TranslateError } from '../errors.js';
import { convertContent, isObject, type PartContext, type PartTarget } from '../openai-chat/parts.js';

/** One Gemini `Part` (kept loose: the translator builds them, the upstream validates them). */
export type Part = Record<string, unknown>;

export { isObject };

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

const EXT_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  pdf: 'application/pdf',
};

/** `image_url.url` → inlineData (data URLs) or fileData (http(s) and gs:// URIs, which the upstream fetches or refuses). */
function imagePart(url: unknown, param: string): Part {
  if (typeof url !== 'string' || url === '') throw new TranslateError(`${param} must be a non-empty string`, param);
  const m = DATA_URL.exec(url);
  if (m) {
    if (!/;base64$/i.test(m[2]) || m[1] === '')
      throw new TranslateError(`${param} must be a base64 data URL with a media type (data:image/png;base64,…)`, param);
    return { inlineData: { mimeType: m[1].toLowerCase(), data: m[3] } };
  }
  if (/^(https?|gs):\/\//i.test(url)) {
    const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
    return { fileData: { mimeType: (ext && EXT_MIME[ext]) || 'image/jpeg', fileUri: url } };
  }
  throw new TranslateError(`${param} must be an http(s) URL or a base64 data URL`, param);
}

/** A `file` part → inline data (any media type Gemini reads; raw base64 without a data: prefix is taken as PDF). */
function filePart(file: unknown, param: string): Part {
  if (!isObject(file) || typeof file.file_data !== 'string' || file.file_data === '') {
    throw new TranslateError(`${param}: Gemini models need the file inline as file_data (file ids are not supported)`, `${param}.file.file_data`);
  }
  const m = DATA_URL.exec(file.file_data);
  if (m && !/;base64$/i.test(m[2])) throw new TranslateError(`${param}.file.file_data must be base64`, `${param}.file.file_data`);
  return { inlineData: { mimeType: m ? m[1].toLowerCase() || 'application/pdf' : 'application/pdf', data: m ? m[3] : file.file_data } };
}

function audioPart(audio: unknown, param: string): Part {
  if (!isObject(audio) || typeof audio.data !== 'string' || typeof audio.format !== 'string') {
    throw new TranslateError(`${param}.input_audio needs data and format`, `${param}.input_audio`);
  }
  return { inlineData: { mimeType: `audio/${audio.format === 'mp3' ? 'mp3' : audio.format}`, data: audio.data } };
}

export type { PartContext };

/** How each kind of part becomes a Gemini part (images in tool results go next to the functionResponse, §6.10 #9). */
const TO_PARTS: PartTarget<Part> = {
  text: (text) => (text.trim() === '' ? null : { text }),
  image: imagePart,
  file: filePart,
  audio: audioPart,
};

/** Message content (string, parts or null) → parts, empty text dropped (Gemini rejects empty parts). */
export function contentParts(content: unknown, param: string, ctx: PartContext): Part[] {
  return convertContent(content, param, ctx, TO_PARTS);
}

/** The text of a system/developer or tool message (text parts joined with a newline). */
export function plainText(content: unknown, param: string, ctx: PartContext): string {
  return contentParts(content, param, ctx)
    .filter((p) => typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('\n');
}

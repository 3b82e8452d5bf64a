// OpenAI message content (strings and parts) → Anthropic content blocks: text, image, document, tool_result content.
import { TranslateError } from '../errors.js';
import { convertContent, isObject, type PartContext, type PartTarget } from '../openai-chat/parts.js';

/** One Anthropic content block (kept loose: the translator builds them, the upstream validates them). */
export type Block = Record<string, unknown>;

export { isObject };

/** A text block, or null when the text is empty or blank (Anthropic rejects whitespace-only text blocks). */
export function textBlock(text: string): Block | null {
  return text.trim() === '' ? null : { type: 'text', text };
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

function parseDataUrl(url: string): { mime: string; base64: boolean; data: string } | null {
  const m = DATA_URL.exec(url);
  if (!m) return null;
  return { mime: m[1].toLowerCase(), base64: /;base64$/i.test(m[2]), data: m[3] };
}

/** `image_url.url` → an image block: data URLs become base64 sources, http(s) URLs stay URLs. */
function imageBlock(url: unknown, param: string): Block {
  if (typeof url !== 'string' || url === '') throw new TranslateError(`${param} must be a non-empty string`, param);
  const data = parseDataUrl(url);
  if (data) {
    if (!data.base64 || !data.mime.startsWith('image/')) {
      throw new TranslateError(`${param} must be a base64 data URL of an image (data:image/png;base64,…)`, param);
    }
    return { type: 'image', source: { type: 'base64', media_type: data.mime, data: data.data } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new TranslateError(`${param} must be an http(s) URL or a base64 data URL`, param);
}

/** A `file` part → a PDF document block. Claude reads PDFs only; OpenAI file ids cannot be resolved here. */
function documentBlock(file: unknown, param: string): Block {
  if (!isObject(file)) throw new TranslateError(`${param}.file must be an object`, `${param}.file`);
  if (typeof file.file_data !== 'string' || file.file_data === '') {
    const p = file.file_id !== undefined ? `${param}.file.file_id` : `${param}.file.file_data`;
    throw new TranslateError(`${param}: Claude models need the file inline as file_data (file ids are not supported)`, p);
  }
  const parsed = parseDataUrl(file.file_data);
  // Without a data: prefix the value is taken as raw base64; OpenAI chat accepts only PDFs as files anyway.
  const mime = parsed ? parsed.mime : 'application/pdf';
  if (mime !== 'application/pdf' || (parsed && !parsed.base64)) {
    throw new TranslateError(`${param}.file.file_data must be a base64 PDF (got ${mime || 'no media type'})`, `${param}.file.file_data`);
  }
  const block: Block = {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: parsed ? parsed.data : file.file_data },
  };
  if (typeof file.filename === 'string' && file.filename !== '') block.title = file.filename;
  return block;
}

/** How each kind of part becomes a block (Claude takes no audio). */
const TO_BLOCKS: PartTarget<Block> = {
  text: textBlock,
  image: imageBlock,
  file: documentBlock,
  audio: (_audio, param) => {
    throw new TranslateError(`${param}: audio input is not supported for Claude models`, param);
  },
};

/** Message content (string, parts or null) → blocks, empty text dropped. */
export function contentBlocks(content: unknown, param: string, ctx: PartContext): Block[] {
  return convertContent(content, param, ctx, TO_BLOCKS);
}

/** A system or developer message's text. */
export function systemText(content: unknown, param: string): string {
  return contentBlocks(content, param, 'system')
    .map((b) => b.text as string)
    .join('\n');
}

/** A tool message's content → `tool_result.content`: the string as sent, or text/image blocks; undefined if empty. */
export function toolResultContent(content: unknown, param: string): string | Block[] | undefined {
  if (typeof content === 'string') return content.trim() === '' ? undefined : content;
  const blocks = contentBlocks(content, param, 'tool');
  return blocks.length > 0 ? blocks : undefined;
}

// OpenAI Chat Completions client ↔ Anthropic Messages upstream: the public face of the translator.
export { chatToMessages, DEFAULT_MAX_TOKENS, type ChatToMessagesResult, type ConvertedTools } from './request.js';
export { convertTools } from './tools.js';
export { messageToChatCompletion, finishReason, type CompletionContext } from './response.js';
export { AnthropicToChatStream, STREAM_CUT_MESSAGE, type ChatStreamContext } from './stream.js';
export { anthropicErrorToChat, anthropicStreamErrorToChat, openAiErrorBody, openAiErrorKind, type ChatErrorBody } from './error.js';
export { toChatUsage, type ChatUsage } from './usage.js';
export { TranslateError, isTranslateError } from '../errors.js';

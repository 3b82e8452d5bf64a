// OpenAI Chat Completions client ↔ Gemini generateContent upstream: the public face of the translator.
export { chatToGemini, type ChatToGeminiResult } from './request.js';
export { geminiToChatCompletion, finishReason, type CompletionContext } from './response.js';
export { GeminiToChatStream, STREAM_CUT_MESSAGE, type ChatStreamContext } from './stream.js';
export { geminiErrorToChat, geminiStreamErrorToChat } from './error.js';
export { geminiToChatUsage, type ChatUsage } from './usage.js';
export { geminiSchema } from './schema.js';
export { TranslateError, isTranslateError } from '../errors.js';

// Gemini (Developer API shape) ↔ Code Assist (Gemini CLI's Google-login backend): the public face of the translator.
export { bareModel, retargetCountTokens, retargetGenerate, retargetSetup, wrapCountTokens, wrapGenerate } from './request.js';
export { CodeAssistJsonUnwrapper, CodeAssistSseUnwrapper, unwrapAnswer, unwrapJsonText } from './response.js';

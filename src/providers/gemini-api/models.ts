// The Gemini models listed at /gemini/v1beta/models (the key's model restriction filters them), in Google's
// Model shape. Any other name is still relayed: the upstream decides what it serves.

export interface GeminiModelInfo {
  name: string;
  version: string;
  displayName: string;
  description: string;
  inputTokenLimit: number;
  outputTokenLimit: number;
  supportedGenerationMethods: string[];
  temperature: number;
  maxTemperature: number;
  topP: number;
  topK: number;
  thinking: boolean;
}

const model = (id: string, displayName: string, input: number, output: number): GeminiModelInfo => ({
  name: `models/${id}`,
  version: id.replace(/^gemini-/, ''),
  displayName,
  description: displayName,
  inputTokenLimit: input,
  outputTokenLimit: output,
  supportedGenerationMethods: ['generateContent', 'countTokens', 'streamGenerateContent'],
  temperature: 1,
  maxTemperature: 2,
  topP: 0.95,
  topK: 64,
  thinking: true,
});

export const GEMINI_MODELS: readonly GeminiModelInfo[] = [
  model('gemini-3-pro-preview', 'Gemini 3 Pro Preview', 1_048_576, 65_536),
  model('gemini-3-flash-preview', 'Gemini 3 Flash Preview', 1_048_576, 65_536),
  model('gemini-2.5-pro', 'Gemini 2.5 Pro', 1_048_576, 65_536),
  model('gemini-2.5-flash', 'Gemini 2.5 Flash', 1_048_576, 65_536),
  model('gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', 1_048_576, 65_536),
];

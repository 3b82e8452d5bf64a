// The request bodies the bench sends: Claude Code-shaped Anthropic requests, a Codex Responses request and an
// OpenAI chat request for a Claude model.

/** A body shaped like Claude Code's (long system prompt, tools, a few turns), padded to about `kb` KB. */
export function requestBody(stream: boolean, kb = 20): string {
  const base = baseBody(stream);
  const pad = Math.max(0, kb * 1024 - base.length);
  if (pad === 0) return base;
  const j = JSON.parse(base) as { messages: { role: string; content: unknown }[] };
  j.messages.splice(1, 0, { role: 'assistant', content: 'Earlier output: ' + 'x'.repeat(pad) }, { role: 'user', content: 'continue' });
  return JSON.stringify(j);
}

function baseBody(stream: boolean): string {
  const para = 'You are an interactive agent that helps users with software engineering tasks. Use the tools available to you. ';
  const tools = Array.from({ length: 20 }, (_, i) => ({
    name: `Tool${i}`,
    description: `Tool number ${i}. ` + para.repeat(3),
    input_schema: { type: 'object', properties: { path: { type: 'string', description: 'file path' }, limit: { type: 'integer' } }, required: ['path'] },
  }));
  return JSON.stringify({
    model: 'claude-sonnet-5',
    max_tokens: 32000,
    stream,
    system: [{ type: 'text', text: para.repeat(80), cache_control: { type: 'ephemeral' } }],
    tools,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Please refactor the module. ' + para.repeat(5) }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Looking at it now.' }] },
      { role: 'user', content: 'Go ahead.' },
    ],
    metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: '6f1c2a6e-1d1b-4a4e-9b1e-3c2d1e0f9a8b' }) },
  });
}

/** A Codex-sized Responses request (~30 KB of instructions and tools, CLIENTS 2.1). */
export function responsesRequestBody(): string {
  const para = 'You are Codex, a coding agent. Follow the repository conventions and run the tests. ';
  const tools = Array.from({ length: 10 }, (_, i) => ({
    type: 'function',
    name: `tool_${i}`,
    description: para.repeat(3),
    strict: false,
    parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
  }));
  return JSON.stringify({
    model: 'gpt-5.5',
    stream: true,
    store: false,
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: para.repeat(300) }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix the failing test' }] },
    ],
    tools,
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'medium' },
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: '0b7e5c1e-5b8e-4bde-9d43-0f4b8d1c2a3e',
  });
}

/** The Claude Code-sized request as an OpenAI Chat Completions stream for a Claude model (converted by the relay). */
export function chatRequestBody(): string {
  const a = JSON.parse(requestBody(true)) as { system: { text: string }[]; tools: { name: string; description: string; input_schema: unknown }[] };
  return JSON.stringify({
    model: 'claude-sonnet-5',
    stream: true,
    stream_options: { include_usage: true },
    max_completion_tokens: 32000,
    messages: [
      { role: 'system', content: a.system[0].text },
      { role: 'user', content: 'Please refactor the module.' },
      { role: 'assistant', content: 'Looking at it now.' },
      { role: 'user', content: 'Go ahead.' },
    ],
    tools: a.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })),
  });
}

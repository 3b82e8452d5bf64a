// A lean Anthropic upstream for the benchmark: fixed JSON and SSE answers, no recording, so it never becomes the
// bottleneck and every target (direct, bare proxy, relay) is measured against the same thing.
import { createServer } from 'node:http';

const TEXT_EVENTS = 30;

function sseBody(model: string): string {
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  let s = ev('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_bench',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 7500, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    },
  });
  s += ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  for (let i = 0; i < TEXT_EVENTS; i++)
    s += ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word${i} ` } });
  s += ev('content_block_stop', { type: 'content_block_stop', index: 0 });
  s += ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: TEXT_EVENTS } });
  s += ev('message_stop', { type: 'message_stop' });
  return s;
}

/** A Codex-style Responses stream (PROTOCOLS 4.5.3): the same 30 text deltas, framed as OpenAI sends them. */
function responsesBody(model: string): string {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const resp = { id: 'resp_bench', object: 'response', created_at: 1767000000, status: 'in_progress', model, output: [] };
  const item = { type: 'message', id: 'msg_bench', status: 'in_progress', role: 'assistant', content: [] };
  let text = '';
  let s = ev('response.created', { response: resp }) + ev('response.in_progress', { response: resp });
  s += ev('response.output_item.added', { output_index: 0, item });
  s += ev('response.content_part.added', { item_id: 'msg_bench', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
  for (let i = 0; i < TEXT_EVENTS; i++) {
    text += `word${i} `;
    s += ev('response.output_text.delta', { item_id: 'msg_bench', output_index: 0, content_index: 0, delta: `word${i} `, logprobs: [] });
  }
  const part = { type: 'output_text', text, annotations: [] };
  s += ev('response.output_text.done', { item_id: 'msg_bench', output_index: 0, content_index: 0, text, logprobs: [] });
  s += ev('response.content_part.done', { item_id: 'msg_bench', output_index: 0, content_index: 0, part });
  const done = { ...item, status: 'completed', content: [part] };
  s += ev('response.output_item.done', { output_index: 0, item: done });
  const usage = {
    input_tokens: 7500,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: TEXT_EVENTS,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 7500 + TEXT_EVENTS,
  };
  s += ev('response.completed', { response: { ...resp, status: 'completed', output: [done], usage } });
  return s;
}
const RESPONSES_EVENTS = responsesBody('gpt-5.5').split(/(?<=\n\n)/);

const JSON_BODY = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-5',
  content: [{ type: 'text', text: 'ok '.repeat(30) }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 7500, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 30 },
});
const SSE_EVENTS = sseBody('claude-sonnet-5').split(/(?<=\n\n)/);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    // Decide stream vs JSON without parsing the whole body (the upstream is not what is measured).
    const stream = body.includes('"stream":true');
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_bench', 'content-length': Buffer.byteLength(JSON_BODY) });
      res.end(JSON_BODY);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_bench' });
    // One write per event, as the real API sends them. A "hold" request keeps its stream open for a while
    // after the first event (the memory measurement with many open streams).
    const hold = body.includes('"user_id":"hold"');
    const events = req.url?.startsWith('/v1/responses') ? RESPONSES_EVENTS : SSE_EVENTS;
    res.write(events[0]);
    const rest = () => {
      for (const e of events.slice(1)) res.write(e);
      res.end();
    };
    if (hold) setTimeout(rest, 4000);
    else rest();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`);
});

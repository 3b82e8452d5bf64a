// The concurrency wait queue in /metrics: waiting now, what happened to the requests that waited, and how long
// they waited, per key (this instance's figures; Prometheus sums the instances).
import { Counter, Gauge, type Registry } from 'prom-client';
import { WAIT_BUCKETS, type WaitQueue } from '../keys/wait-queue.js';

const EVENTS = ['entered', 'served', 'timeouts', 'cancelled', 'rejected'] as const;

export function registerQueueMetrics(registry: Registry, queue: Pick<WaitQueue, 'waitingNow' | 'localFigures'>): void {
  const registers = [registry];
  new Gauge({
    name: 'crs_queue_waiting',
    help: 'Requests waiting now for a concurrency slot of their key (this instance)',
    labelNames: ['key_id'],
    registers,
    collect() {
      this.reset();
      for (const [key_id, n] of queue.waitingNow()) this.set({ key_id }, n);
    },
  });
  new Counter({
    name: 'crs_queue_requests_total',
    help: 'Requests of the concurrency wait queue by what happened: entered, served (got a slot after waiting), timeouts, cancelled (client went away), rejected (queue full)',
    labelNames: ['key_id', 'event'],
    registers,
    collect() {
      this.reset();
      for (const [key_id, f] of queue.localFigures()) for (const event of EVENTS) if (f[event] > 0) this.inc({ key_id, event }, f[event]);
    },
  });
  const name = 'crs_queue_wait_seconds';
  const help = 'Time requests waited in the concurrency queue (served, timed out or cancelled)';
  registry.registerMetric({
    name,
    help,
    type: 'histogram',
    get: async () => {
      const values: { metricName: string; labels: Record<string, string>; value: number }[] = [];
      for (const [key_id, f] of queue.localFigures()) {
        const count = f.waits.reduce((a, b) => a + b, 0);
        if (count === 0) continue;
        let cumulative = 0;
        for (let i = 0; i <= WAIT_BUCKETS.length; i++) {
          cumulative += f.waits[i];
          values.push({ metricName: `${name}_bucket`, labels: { key_id, le: i < WAIT_BUCKETS.length ? String(WAIT_BUCKETS[i]) : '+Inf' }, value: cumulative });
        }
        values.push({ metricName: `${name}_sum`, labels: { key_id }, value: f.waitSum });
        values.push({ metricName: `${name}_count`, labels: { key_id }, value: count });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
  } as never);
}

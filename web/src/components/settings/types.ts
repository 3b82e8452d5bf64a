// Shapes of the settings and notification endpoints (see /admin/openapi.json).

export interface SectionView<T> {
  values: T;
  defaults: T;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface RelaySettings {
  concurrentRequestQueueEnabled: boolean;
  concurrentRequestQueueMaxSize: number;
  concurrentRequestQueueMaxSizeMultiplier: number;
  concurrentRequestQueueTimeoutMs: number;
  stickySessionTtlHours: number;
  stickySessionRenewalThresholdMinutes: number;
  failoverMaxAttempts: number;
  cooldownRateLimitedSec: number;
  cooldownThrottledSec: number;
  cooldownOverloadedSec: number;
  cooldownServerErrorSec: number;
  cooldownNetworkSec: number;
  cooldownUnauthorizedSec: number;
  cooldownForbiddenSec: number;
  autoPauseFiveHourPercent: number;
  allowedClients: string[];
}

export interface NotificationSettings {
  enabled: boolean;
  nearLimitPercent: number;
  dedupeMinutes: number;
  storeCheckSeconds: number;
  language: 'zh-CN' | 'en';
}

export type ChannelType = 'webhook' | 'wecom' | 'dingtalk' | 'feishu' | 'slack' | 'telegram' | 'bark' | 'smtp';

export interface ChannelView {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  events: string[];
  chatId?: string;
  server?: string;
  group?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string;
  from?: string;
  to?: string[];
  urlHint: string | null;
  secretsSet: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ChannelList {
  items: ChannelView[];
  types: { type: ChannelType; required: string[]; optional: string[] }[];
  events: string[];
  secretFields: string[];
}

export interface Delivery {
  channelId: string;
  channelName: string;
  type: ChannelType;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  httpStatus: number;
  error: string | null;
  at: string;
}

export interface HistoryItem {
  event: {
    id: string;
    type: string;
    at: string;
    severity: 'critical' | 'warning' | 'info';
    title: string;
    lines: string[];
    subject: { kind: string; id?: string; name?: string };
  };
  deliveries: Delivery[];
  note: string | null;
}

export interface RetentionSettings {
  requestLogDays: number;
}

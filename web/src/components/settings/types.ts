// Shapes of the settings and notification endpoints, generated from /admin/openapi.json (`npm run gen:api`).
import type { ResponseOf } from '../../api/types';

type AllSettings = ResponseOf<'/admin/settings', 'get'>;

/** A section as GET/PATCH /admin/settings/:section answer it: values, defaults and who changed it last. */
export interface SectionView<T> {
  values: T;
  defaults: T;
  updatedAt: string | null;
  updatedBy: string | null;
}

export type RelaySettings = AllSettings['relay']['values'];
export type NotificationSettings = AllSettings['notifications']['values'];
export type RetentionSettings = AllSettings['retention']['values'];

export type ChannelList = ResponseOf<'/admin/notifications/channels', 'get'>;
export type ChannelView = ChannelList['items'][number];
export type ChannelType = ChannelView['type'];
export type HistoryItem = ResponseOf<'/admin/notifications/history', 'get'>['items'][number];
export type Delivery = HistoryItem['deliveries'][number];

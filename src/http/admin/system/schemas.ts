// zod schemas of the session, settings and notification routes.
import { z } from 'zod';

export const loginSchema = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});

export const logoutQuerySchema = z.object({
  all: z.enum(['true', 'false']).optional(),
});

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(8, 'must be at least 8 characters').max(256),
});

export const alertTestSchema = z.strictObject({ target: z.string().trim().min(1).max(100) });
export const alertHistoryQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

import { z } from 'zod';
import type { EventRequestSchema } from './event-request-schema.js';

/** One parsed `POST /v1/feedback` label: the event id and the label (true = positive). */
export interface Feedback {
  readonly id: string | number;
  readonly label: boolean;
}

/**
 * The zod schema of one `POST /v1/feedback` body under the service's wire names: `{ [idField]: id, [labelField]:
 * true | false | 1 | 0 }`, the id typed as the request schema's id column. Other keys are ignored.
 */
export function feedbackBodySchema(request: EventRequestSchema, api: { readonly idField: string; readonly labelField: string }): z.ZodType<Feedback> {
  const { idField, labelField } = api;
  return z
    .object({
      [idField]: request.idSchema,
      [labelField]: z.union([z.boolean(), z.literal(0), z.literal(1)], 'expected true, false, 1 or 0'),
    })
    .transform((body): Feedback => ({ id: body[idField] as string | number, label: body[labelField] === true || body[labelField] === 1 }));
}

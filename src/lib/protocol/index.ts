/**
 * Career Copilot's events on the wire: the payload schemas (valibot, which implements Standard
 * Schema v1, so the client package types `subscribe` from them) and the domain constants they
 * use. One module for the app's client code and its server, so the two can never disagree about
 * what an event carries. The frames of the protocol itself belong to the package
 * (`statechart-websocket`); see ./client-frames.ts for the server's checks of client frames.
 */
import * as v from 'valibot';
import type { EventMapOf } from 'statechart-websocket';

export const APPLICATION_STATUSES = [
	'saved',
	'applied',
	'screening',
	'interview',
	'offer',
	'accepted',
	'rejected',
	'declined',
	'withdrawn'
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const NOTIFICATION_CATEGORIES = [
	'system',
	'job_alert',
	'application',
	'recommendation',
	'social'
] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

const id = v.union([v.string(), v.number()]);

export const JobSchema = v.looseObject({
	id,
	title: v.string(),
	company: v.string(),
	location: v.optional(v.string()),
	salary_range: v.optional(v.nullable(v.string())),
	skills: v.optional(v.array(v.string())),
	url: v.optional(v.nullable(v.string())),
	created_at: v.optional(v.string())
});
export type Job = v.InferOutput<typeof JobSchema>;

export const JobRecommendationSchema = v.object({
	job: JobSchema,
	match_score: v.optional(v.number()),
	reason: v.optional(v.string())
});
export type JobRecommendation = v.InferOutput<typeof JobRecommendationSchema>;

const applicationStatus = v.picklist(APPLICATION_STATUSES);

export const ApplicationStatusChangeSchema = v.object({
	application_id: id,
	/** null when the application was just created (Save or Apply on a job). */
	old_status: v.nullable(applicationStatus),
	new_status: applicationStatus,
	application: v.optional(v.record(v.string(), v.unknown())),
	job_title: v.optional(v.string()),
	company: v.optional(v.string())
});
export type ApplicationStatusChange = v.InferOutput<typeof ApplicationStatusChangeSchema>;

export const NotificationSchema = v.object({
	id,
	category: v.picklist(NOTIFICATION_CATEGORIES),
	title: v.string(),
	description: v.string(),
	timestamp: v.string(),
	actionUrl: v.optional(v.string()),
	actionLabel: v.optional(v.string()),
	metadata: v.optional(v.record(v.string(), v.unknown()))
});
export type Notification = v.InferOutput<typeof NotificationSchema>;

/** Notifications were marked read (some by id, or all of them): every tab and device follows. */
export const NotificationReadSchema = v.object({
	/** The notifications marked read (empty when `all`). */
	ids: v.array(v.string()),
	/** Every notification the user had was marked read. */
	all: v.boolean(),
	/** How many stay unread after this change, so each tab's bell shows the same number. */
	unread: v.pipe(v.number(), v.safeInteger(), v.minValue(0))
});
export type NotificationRead = v.InferOutput<typeof NotificationReadSchema>;

/** Payload schema of every event the Career Copilot server sends: the client's `events`. */
export const coreEventSchemas = {
	'job:recommendation': JobRecommendationSchema,
	'application:status_change': ApplicationStatusChangeSchema,
	'notification:new': NotificationSchema,
	'notification:read': NotificationReadSchema
} as const;

/** The events the Career Copilot server sends, by name, with their payloads. */
export type CoreEventMap = EventMapOf<typeof coreEventSchemas>;
export type CoreEventType = keyof CoreEventMap;
export * from './client-frames';

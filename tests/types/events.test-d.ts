/**
 * The typed event map at compile time: the events an app declares (`events`, Standard Schemas of
 * any validator) are typed in `subscribe`; an unknown event name or a wrong payload type does not
 * compile. Run by `npx vitest run` (typecheck).
 */
import * as v from 'valibot';
import { z } from 'zod';
import { describe, expectTypeOf, it } from 'vitest';
import { createRealtimeClient } from '../../machines/client';
import type { EventFrame } from '../../machines/protocol';
import {
	coreEventSchemas,
	type ApplicationStatusChange,
	type JobRecommendation,
	type Notification
} from '../../src/lib/protocol';
import { fakeSockets } from '../support/connection-fakes';

const WebSocket = fakeSockets().WebSocket;
const ChatMessage = v.object({ room: v.string(), text: v.string() });

describe('event map types', () => {
	it('types the Career Copilot events (valibot schemas)', () => {
		const client = createRealtimeClient({
			url: 'ws://127.0.0.1:9/ws',
			WebSocket,
			autoConnect: false,
			events: coreEventSchemas
		});
		client.subscribe('job:recommendation', (data, frame) => {
			expectTypeOf(data).toEqualTypeOf<JobRecommendation>();
			expectTypeOf(data.match_score).toEqualTypeOf<number | undefined>();
			expectTypeOf(frame).toEqualTypeOf<EventFrame<'job:recommendation', JobRecommendation>>();
		});
		client.subscribe('application:status_change', (data) => {
			expectTypeOf(data).toEqualTypeOf<ApplicationStatusChange>();
			expectTypeOf(data.new_status).toEqualTypeOf<
				| 'saved'
				| 'applied'
				| 'screening'
				| 'interview'
				| 'offer'
				| 'accepted'
				| 'rejected'
				| 'declined'
				| 'withdrawn'
			>();
		});
		client.subscribe('notification:new', (data) => {
			expectTypeOf(data).toEqualTypeOf<Notification>();
		});
		// @ts-expect-error: not an event the server sends
		client.subscribe('job:recomendation', () => {});
		// @ts-expect-error: the payload of job:recommendation has no `title`
		client.subscribe('job:recommendation', (data) => data.title);
		// @ts-expect-error: a handler for another payload type
		client.subscribe('notification:new', (data: { score: number }) => data.score);
		expectTypeOf(client.send('note', { any: 'json' })).toHaveProperty('outcome');
	});

	it('types events from schemas of different validators side by side (valibot and zod)', () => {
		const client = createRealtimeClient({
			url: 'ws://127.0.0.1:9/ws',
			WebSocket,
			autoConnect: false,
			events: {
				'chat:message': ChatMessage,
				'chat:typing': z.object({ user: z.string(), at: z.number().optional() })
			}
		});
		client.subscribe('chat:message', (data) => {
			expectTypeOf(data).toEqualTypeOf<{ room: string; text: string }>();
		});
		client.subscribe('chat:typing', (data) => {
			expectTypeOf(data).toEqualTypeOf<{ user: string; at?: number | undefined }>();
		});
		// @ts-expect-error: only the declared events: this client has no job events
		client.subscribe('job:recommendation', () => {});
		// @ts-expect-error: text is a string
		client.subscribe('chat:message', (data: { text: number }) => data.text);
		// @ts-expect-error: still no unknown names
		client.subscribe('chat:joined', () => {});
	});
});

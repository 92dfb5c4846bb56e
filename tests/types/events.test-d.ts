/**
 * The typed event map at compile time: core events and the app's own events (from `events`
 * schemas) are typed in `subscribe`; an unknown event name or a wrong payload type does not
 * compile. Run by `npx vitest run` (typecheck).
 */
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { createRealtimeClient } from '../../machines/client';
import type {
	ApplicationStatusChange,
	EventFrame,
	JobRecommendation,
	Notification
} from '../../machines/protocol';
import { fakeSockets } from '../support/connection-fakes';

const WebSocket = fakeSockets().WebSocket;
const ChatMessage = v.object({ room: v.string(), text: v.string() });

describe('event map types', () => {
	it('types the core events', () => {
		const client = createRealtimeClient({
			url: 'ws://127.0.0.1:9/ws',
			WebSocket,
			autoConnect: false
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

	it('adds the app’s own events from their schemas', () => {
		const client = createRealtimeClient({
			url: 'ws://127.0.0.1:9/ws',
			WebSocket,
			autoConnect: false,
			events: { 'chat:message': ChatMessage }
		});
		client.subscribe('chat:message', (data) => {
			expectTypeOf(data).toEqualTypeOf<{ room: string; text: string }>();
		});
		client.subscribe('job:recommendation', (data) => {
			expectTypeOf(data.job.title).toBeString();
		});
		// @ts-expect-error: text is a string
		client.subscribe('chat:message', (data: { text: number }) => data.text);
		// @ts-expect-error: still no unknown names
		client.subscribe('chat:typing', () => {});
	});
});

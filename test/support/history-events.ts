import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The marker the SDK's core records in a run's history for each local activity's result. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** How many events of `type` a history holds. */
export const countEvents = (events: HistoryEvent[], type: temporal.api.enums.v1.EventType): number =>
  events.filter((e) => e.eventType === type).length;

/** How many local-activity results a history records. */
export const localActivityMarkers = (events: HistoryEvent[]): number =>
  events.filter((e) => e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER).length;

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes; the dev-server launcher registers every one listed here. */
export const VideoStatusAttribute = defineSearchAttributeKey('VideoStatus', SearchAttributeType.KEYWORD);
export const TenantIdAttribute = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);

export const CUSTOM_SEARCH_ATTRIBUTES = [
  { name: 'VideoStatus', type: 'Keyword' },
  { name: 'TenantId', type: 'Keyword' },
] as const;

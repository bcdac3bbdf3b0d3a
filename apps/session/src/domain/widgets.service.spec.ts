import { widgetConfigSchema } from '@widget/contracts';
import { mergeWidgetConfig } from './widgets.service';

describe('mergeWidgetConfig', () => {
  const base = widgetConfigSchema.parse({ name: 'W', allowedOrigins: ['https://a.test'], forms: { visibleFormIds: [] } });

  it('merges sections key by key and keeps what the patch does not name', () => {
    const merged = mergeWidgetConfig(base, { theme: { primaryColor: '#000000' }, identity: { anonymousAllowed: false } });
    expect(merged.theme).toEqual({ ...base.theme, primaryColor: '#000000' });
    expect(merged.identity).toEqual({ anonymousAllowed: false, jwtRequiredForIdentifiedUsers: true, allowAnonymousToIdentifiedMerge: true });
    expect(merged.name).toBe('W');
  });

  it('replaces arrays and scalars', () => {
    const merged = mergeWidgetConfig(base, { allowedOrigins: ['https://b.test'], enabled: false });
    expect(merged.allowedOrigins).toEqual(['https://b.test']);
    expect(merged.enabled).toBe(false);
  });

  it('replaces availability whole (its time zone and hours hold together) and removes it with null', () => {
    const paris = { timezone: 'Europe/Paris', hours: [{ days: ['mon' as const], open: '09:00', close: '18:00' }], replyTime: 'hours' as const };
    const withHours = mergeWidgetConfig(base, { availability: paris });
    expect(withHours.availability).toEqual(paris);
    const replaced = mergeWidgetConfig(withHours, { availability: { timezone: 'UTC', hours: [] } });
    expect(replaced.availability).toEqual({ timezone: 'UTC', hours: [] });
    expect(mergeWidgetConfig(withHours, { availability: null }).availability).toBeUndefined();
  });
});

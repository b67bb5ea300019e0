/** Dates as people read them, in the page's language; formatters are made once (they are slow to create). */
const locale = () => document.documentElement.lang || undefined;
let relative: Intl.RelativeTimeFormat | undefined;
let absolute: Intl.DateTimeFormat | undefined;
let day: Intl.DateTimeFormat | undefined;

const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

export function relativeTime(iso: string, now = Date.now()): string {
  relative ??= new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  let value = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

export function absoluteTime(iso: string): string {
  absolute ??= new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' });
  return absolute.format(new Date(iso));
}

export function absoluteDay(iso: string): string {
  day ??= new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' });
  return day.format(new Date(iso));
}

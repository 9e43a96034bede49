// Colours of the operator chart, shared by the legend and the bars.
export const ACCENT = '#4f46e5';
export const PLAIN = '#a8b0bf';

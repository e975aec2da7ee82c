#!/usr/bin/env node
// Entry point: React's development build costs several times the CPU of a redraw, and it is
// chosen when React is first imported, so the mode is set before anything else loads.
process.env.NODE_ENV ??= 'production';
await import('./cli/main.js');

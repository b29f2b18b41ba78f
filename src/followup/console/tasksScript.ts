/** The console's tasks tab (placeholder; filled in with the UI). */
export const TASKS_SCRIPT = '';

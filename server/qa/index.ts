/** The QA console (issue 10): its API under /v1/qa and the web app under /console/. */
import type { App, AppDeps } from '../http';
import { documentQaRoutes } from './openapi';
import { registerQaConversations } from './routes-conversations';
import { registerQaInsights } from './routes-insights';
import { registerQaReview } from './routes-review';
import { registerQaRules } from './routes-rules';
import { registerConsoleStatic } from './static';

export function registerQa(app: App, deps: AppDeps): void {
  registerQaConversations(app, deps);
  registerQaReview(app, deps);
  registerQaInsights(app, deps);
  registerQaRules(app, deps);
  registerConsoleStatic(app);
  documentQaRoutes(app);
}

/** Console strings in the three languages Sotto speaks; keys fall back to English. */
import { signal } from '@preact/signals';
import enMessages from '../../public/_locales/en/messages.json';
import zhCnMessages from '../../public/_locales/zh_CN/messages.json';
import zhTwMessages from '../../public/_locales/zh_TW/messages.json';

export type Lang = 'zh_CN' | 'zh_TW' | 'en';
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('sotto.lang')) as Lang | null;
export const lang = signal<Lang>(
  saved ??
    (navigator.language.startsWith('zh')
      ? /TW|HK|Hant/i.test(navigator.language)
        ? 'zh_TW'
        : 'zh_CN'
      : 'en'),
);

const S = {
  title: ['质检控制台', '質檢控制台', 'QA console'],
  signIn: ['登录', '登入', 'Sign in'],
  signOut: ['退出', '登出', 'Sign out'],
  email: ['邮箱', '電郵', 'Email'],
  password: ['密码', '密碼', 'Password'],
  conversations: ['会话', '會話', 'Conversations'],
  review: ['抽检与校准', '抽檢與校準', 'Sampling & calibration'],
  appeals: ['复议', '複議', 'Appeals'],
  analytics: ['分析', '分析', 'Analytics'],
  coaching: ['辅导', '輔導', 'Coaching'],
  rules: ['规则', '規則', 'Rules'],
  scorecards: ['评分表', '評分表', 'Scorecards'],
  team: ['团队', '團隊', 'Team'],
  agent: ['坐席', '坐席', 'Agent'],
  from: ['开始日期', '開始日期', 'From'],
  to: ['结束日期', '結束日期', 'To'],
  channel: ['渠道', '渠道', 'Channel'],
  rule: ['规则', '規則', 'Rule'],
  severity: ['严重度', '嚴重度', 'Severity'],
  emotion: ['情绪', '情緒', 'Emotion'],
  intent: ['意图', '意圖', 'Intent'],
  scoreMin: ['最低分', '最低分', 'Min score'],
  scoreMax: ['最高分', '最高分', 'Max score'],
  appealed: ['已复议', '已複議', 'Appealed'],
  reviewed: ['已复核', '已複核', 'Reviewed'],
  any: ['全部', '全部', 'Any'],
  yes: ['是', '是', 'Yes'],
  no: ['否', '否', 'No'],
  apply: ['筛选', '篩選', 'Apply'],
  saveView: ['保存视图', '儲存檢視', 'Save view'],
  views: ['已保存视图', '已儲存檢視', 'Saved views'],
  score: ['得分', '得分', 'Score'],
  worst: ['最严重问题', '最嚴重問題', 'Worst finding'],
  mood: ['情绪走势', '情緒走勢', 'Mood trend'],
  started: ['开始时间', '開始時間', 'Started'],
  prev: ['上一页', '上一頁', 'Previous'],
  next: ['下一页', '下一頁', 'Next'],
  page: ['页', '頁', 'Page'],
  of: ['共', '共', 'of'],
  evidence: ['证据', '證據', 'Evidence'],
  transcript: ['对话记录', '對話記錄', 'Transcript'],
  timeline: ['情绪/静音时间线', '情緒/靜音時間線', 'Emotion / silence timeline'],
  breakdown: ['自动评分明细', '自動評分明細', 'Automatic score breakdown'],
  autoScore: ['自动得分', '自動得分', 'Automatic score'],
  finalScore: ['最终得分', '最終得分', 'Final score'],
  manualReview: ['人工复核', '人工複核', 'Manual review'],
  override: ['覆盖得分', '覆蓋得分', 'Override score'],
  comment: ['评论', '評論', 'Comment'],
  comments: ['评论', '評論', 'Comments'],
  submit: ['提交', '提交', 'Submit'],
  audit: ['操作记录', '操作記錄', 'Audit trail'],
  voided: ['已作废', '已作廢', 'voided'],
  accept: ['采纳', '採納', 'Accept'],
  reject: ['驳回', '駁回', 'Reject'],
  reason: ['理由', '理由', 'Reason'],
  deadline: ['截止', '截止', 'Deadline'],
  state: ['状态', '狀態', 'State'],
  overdue: ['已逾期', '已逾期', 'overdue'],
  sample: ['生成抽检', '產生抽檢', 'Sample'],
  random: ['随机', '隨機', 'Random'],
  risk: ['风险加权', '風險加權', 'Risk-weighted'],
  percent: ['比例 %', '比例 %', 'Percent'],
  queue: ['复核队列', '複核佇列', 'Review queue'],
  calibration: ['校准会', '校準會', 'Calibration sessions'],
  newSession: ['新建校准会', '新建校準會', 'New session'],
  name: ['名称', '名稱', 'Name'],
  kappa: ['一致性 κ', '一致性 κ', 'Agreement κ'],
  gap: ['与自动评分差距', '與自動評分差距', 'Gap to automatic score'],
  rate: ['打分', '評分', 'Rate'],
  trends: ['趋势', '趨勢', 'Trends'],
  hot: ['本周热点（对比上周）', '本週熱點（對比上週）', 'Hot this week vs last'],
  precision: ['规则准确率', '規則準確率', 'Rule precision'],
  hits: ['命中', '命中', 'Hits'],
  wrongCount: ['误报', '誤報', 'Wrong'],
  export: ['导出', '匯出', 'Export'],
  weakest: ['最弱维度', '最弱維度', 'Weakest dimensions'],
  assign: ['分配辅导', '分配輔導', 'Assign coaching'],
  note: ['说明', '說明', 'Note'],
  examples: ['示例会话', '示例會話', 'Example conversations'],
  live: ['线上版本', '線上版本', 'Live version'],
  draft: ['草稿', '草稿', 'Draft'],
  saveDraft: ['保存草稿', '儲存草稿', 'Save draft'],
  shadow: ['影子测试', '影子測試', 'Shadow test'],
  publish: ['发布', '發佈', 'Publish'],
  rollback: ['回滚到此版本', '回滾到此版本', 'Roll back to this'],
  valid: ['校验通过', '校驗通過', 'Valid'],
  published: ['已发布', '已發佈', 'Published'],
  version: ['版本', '版本', 'Version'],
  weight: ['权重', '權重', 'Weight'],
  items: ['考核项', '考核項', 'Items'],
  autoFail: ['一票否决', '一票否決', 'Auto-fail'],
  save: ['保存', '儲存', 'Save'],
  dark: ['深色', '深色', 'Dark'],
  forbidden: ['无权访问此页面', '無權存取此頁面', 'You may not open this page'],
  case: ['案例库', '案例庫', 'Case library'],
  good: ['优秀案例', '優秀案例', 'Good example'],
  bad: ['反面案例', '反面案例', 'Bad example'],
  loading: ['加载中…', '載入中…', 'Loading…'],
  total: ['共计', '共計', 'Total'],
  angry: ['愤怒', '憤怒', 'angry'],
  frustrated: ['不满', '不滿', 'frustrated'],
  neutral: ['平静', '平靜', 'neutral'],
  positive: ['积极', '積極', 'positive'],
  done: ['完成', '完成', 'Done'],
  showTable: ['以表格显示', '以表格顯示', 'Show as table'],
  point: ['数据点', '資料點', 'Point'],
  customerEmotion: ['客户情绪', '客戶情緒', 'Customer emotion'],
  silenceSeconds: ['静音（秒）', '靜音（秒）', 'Silence (s)'],
  actions: ['操作', '操作', 'Actions'],
  scoreTrend: ['每日平均分', '每日平均分', 'Average score per day'],
  avgScore: ['平均分', '平均分', 'Average score'],
  angryTrend: ['每日愤怒与不合格会话', '每日憤怒與不合格會話', 'Angry and failed conversations per day'],
  failed: ['不合格', '不合格', 'Failed'],
  ruleHits: ['规则命中（前 10）', '規則命中（前 10）', 'Rule hits (top 10)'],
  kind_daily: ['每日趋势', '每日趨勢', 'Daily trend'],
  kind_agents: ['坐席', '坐席', 'Agents'],
  kind_rules: ['规则', '規則', 'Rules'],
  kind_conversations: ['会话明细', '會話明細', 'Conversations'],
  exportList: ['导出当前筛选结果', '匯出目前篩選結果', 'Export this list'],
  filters: ['筛选条件', '篩選條件', 'Filters'],
  pages: ['页面', '頁面', 'Pages'],
  language: ['语言', '語言', 'Language'],
  skip: ['跳到主要内容', '跳到主要內容', 'Skip to main content'],
  chat: ['在线聊天', '線上聊天', 'Chat'],
  voice: ['语音', '語音', 'Voice'],
  enum_chat: ['在线聊天', '線上聊天', 'chat'],
  enum_voice: ['语音', '語音', 'voice'],
  enum_info: ['信息', '資訊', 'info'],
  enum_hint: ['提示', '提示', 'hint'],
  enum_warning: ['警告', '警告', 'warning'],
  enum_critical: ['严重', '嚴重', 'critical'],
  'enum_auto-fail': ['一票否决', '一票否決', 'auto-fail'],
  enum_open: ['待处理', '待處理', 'open'],
  enum_overdue: ['已逾期', '已逾期', 'overdue'],
  enum_accepted: ['已采纳', '已採納', 'accepted'],
  enum_rejected: ['已驳回', '已駁回', 'rejected'],
} as const;

export type Key = keyof typeof S;
export const STRINGS: Readonly<Record<string, unknown>> = S;
const IDX: Record<Lang, number> = { zh_CN: 0, zh_TW: 1, en: 2 };
export function t(k: Key): string {
  return S[k][IDX[lang.value]] ?? S[k][2];
}
export function setLang(l: Lang): void {
  lang.value = l;
  localStorage.setItem('sotto.lang', l);
  document.documentElement.lang = l === 'en' ? 'en' : l === 'zh_TW' ? 'zh-Hant' : 'zh-Hans';
}
/** A Localized object ({zh_CN, zh_TW, en}) in the current language. */
export function loc(x: unknown): string {
  if (x && typeof x === 'object')
    return String((x as Record<string, string>)[lang.value] ?? (x as Record<string, string>).en ?? '');
  return x === undefined || x === null ? '' : String(x);
}

// The label names the extension shows, from its own locale files, so the console and the side
// panel name an intent the same way. The console's build keeps only their `intent_` entries.

const EXTENSION_MESSAGES: Record<Lang, Record<string, { message: string } | undefined>> = {
  zh_CN: zhCnMessages,
  zh_TW: zhTwMessages,
  en: enMessages,
};

/** An intent or agent act (`refund_return`, `agent_apology`) in the current language; unknown keys as they are. */
export function intentName(key: string): string {
  const id = `intent_${key}`;
  return EXTENSION_MESSAGES[lang.value][id]?.message ?? EXTENSION_MESSAGES.en[id]?.message ?? key;
}

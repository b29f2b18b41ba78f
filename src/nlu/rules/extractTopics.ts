/**
 * Short Chinese topic labels and the words that signal them. Order matters only for ties:
 * labels come out in the order their first keyword appears in the reply.
 */
const TOPIC_KEYWORDS: ReadonlyArray<readonly [label: string, keywords: string]> = [
  ['价格', '价格 价钱 价位 收费 费用 性价比 划算 实惠 优惠 折扣 打折 便宜 贵 花钱 报价 加价 乱收费 隐形消费 被坑 坑钱 太坑 宰客 不值 物美价廉 超值 物超所值 白花钱 智商税 钱'],
  ['服务态度', '态度 服务 热情 耐心 礼貌 冷淡 冷漠 不耐烦 爱答不理 没人理 不理人 周到 贴心 微笑 客气 友好 友善 亲切 敷衍 粗鲁 凶 服务员 前台 接待 店员 工作人员 暖心'],
  ['等待时间', '排队 等待 等了 等太久 等很久 等半天 好久 太久 很久 效率 速度 准时 迟到 拖延 磨蹭 耽误 慢 久'],
  ['专业度', '专业 技术 手法 技师 医生 顾问 师傅 老师 经验 水平 熟练 方案 讲解 解答 知识 手艺 精湛'],
  ['效果', '效果 见效 有效 管用 没用 作用 改善 变化 好转 明显 恢复 持久'],
  ['质量', '质量 品质 坏了 做工 耐用 瑕疵 破损 掉色 材质 用料 过期 发霉 正品 假货 故障 粗糙'],
  ['环境', '环境 干净 卫生 脏 整洁 装修 氛围 安静 吵 温馨 停车 位置 交通 宽敞 异味 空调 明亮 舒适'],
  ['物流', '物流 快递 发货 配送 送货 到货 包装 运费 丢件 签收'],
  ['售后', '售后 退款 退货 换货 退钱 维修 保修 质保 退换 赔偿 投诉'],
  ['推销', '推销 强制 套路 骚扰 硬塞 忽悠 强制消费 逼着办卡'],
  ['口味', '味道 口味 好吃 难吃 口感 新鲜 美味'],
  ['产品', '产品 商品 款式 颜色 尺码 外观 设计 功能 好用 难用'],
  ['沟通', '沟通 回复 回消息 通知 说明 解释'],
];

const KEYWORDS: ReadonlyArray<readonly [keyword: string, label: string]> = TOPIC_KEYWORDS.flatMap(([label, words]) =>
  words.split(' ').map((w) => [w, label] as const),
);

/**
 * Lists the topics a normalised reply talks about, as short Chinese labels
 * (价格, 服务态度, 等待时间, 专业度, 效果, 质量, 环境, 物流, 售后, 推销, 口味, 产品, 沟通).
 *
 * @example
 * extractTopics('服务好，但是有点贵') // ['服务态度', '价格']
 */
export function extractTopics(text: string): string[] {
  const found: Array<{ label: string; at: number }> = [];
  for (const [keyword, label] of KEYWORDS) {
    const at = text.indexOf(keyword);
    if (at < 0) continue;
    const seen = found.find((f) => f.label === label);
    if (seen) seen.at = Math.min(seen.at, at);
    else found.push({ label, at });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.label);
}

/** Every label extractTopics can return, for prompts and tests. */
export const TOPIC_LABELS: readonly string[] = TOPIC_KEYWORDS.map(([label]) => label);

import { GENERAL_IGNORED, GENERAL_POLAR } from './generalLexicon.ts';

/**
 * The sentiment lexicon: polarity words with a strength, neutral verdicts, degree adverbs,
 * negators, contrast words, and "ignore" entries that stop a longer word from being read as the
 * polar word inside it (好像 is not 好, 差不多 is not 差). Matching is longest-first, so an entry
 * such as 不怎么样 wins over the negator 不怎么.
 */

export type LexiconEntry =
  /** A word that says good or bad; `negated` overrides the default reading after a negator. */
  | { kind: 'polar'; value: number; negated?: number; courtesy?: boolean; attribute?: 'benefit' | 'cost'; general?: boolean }
  /** 高/低: good or bad only after an attribute (性价比高 is good, 价格高 is bad). */
  | { kind: 'level'; value: number }
  /** A middling verdict (一般, 还行): evidence for neutral, never negated. */
  | { kind: 'neutral'; value: number }
  | { kind: 'degree'; factor: number }
  /** Degree after the word: 好极了, 贵得很. */
  | { kind: 'suffix'; factor: number }
  | { kind: 'negator'; strength: 'full' | 'weak' | 'strong' }
  /** Negation after a noun: 一点问题都没有. */
  | { kind: 'postNegator' }
  | { kind: 'contrast' }
  /** 虽然/尽管: the clause conceded weighs less than the verdict after the turn. */
  | { kind: 'concession' }
  /** 说是/以为/担心: a claim or worry the rest of its clause states; weighs less, like a concession, until the clause ends. */
  | { kind: 'claim' }
  | { kind: 'ignore' };

const entries = new Map<string, LexiconEntry>();

function add(words: string, entry: LexiconEntry): void {
  for (const w of words.split(/\s+/).filter(Boolean)) entries.set(w, entry);
}
const polar = (
  value: number,
  words: string,
  extra: Partial<{ negated: number; courtesy: boolean; attribute: 'benefit' | 'cost'; general: boolean }> = {},
) =>
  add(words, { kind: 'polar', value, ...extra });

// The general vocabulary first: every entry below overrides it where both know a word.
// Its words are marked general: checked on fewer replies, a reading resting on them is not settled.
for (const [value, words] of GENERAL_POLAR) polar(value, words, { general: true });
add(GENERAL_IGNORED, { kind: 'ignore' });

// Positive, by strength.
polar(2, '完美 无可挑剔 物超所值 一流 顶级 超赞 爆赞 完美无缺 好到爆 五星好评 无敌 excellent perfect');
polar(1.5, '超出预期 超预期 满分 物美价廉 惊艳 超值 挑不出毛病 没得说 没话说 没的说 棒棒哒 牛逼 牛b 爱了 优秀 值回票价 五星 great awesome amazing');
polar(1.2, '棒 赞 点赞 好评 厉害 牛 给力 靠谱 贴心 暖心 周到 惊喜 感动 热心 优质 没毛病 精湛 不一般 👍 👏 ❤ 💕 😍 🥰 love');
polar(1, '满意 好 不错 喜欢 推荐 开心 高兴 愉快 舒服 舒适 舒心 放心 安心 省心 专业 热情 耐心 细心 用心 认真 仔细 细致 负责 尽责 到位 友好 友善 亲切 礼貌 和蔼 温柔 体贴 干净 整洁 温馨 及时 迅速 高效 实惠 划算 值得 值 公道 良心 有效 见效 管用 好用 好吃 美味 好看 漂亮 精致 耐用 可靠 信赖 信任 享受 熟练 适合 好转 变好 回头客 还会再来 会再来 还会来 下次还来 一定再来 会回购 还会回购 会再买 还会买 爽 好玩 速度快 good nice satisfied happy 💯');
polar(0.8, '符合预期 达到预期 持久 放松 舒缓 满足 顺利 顺畅 正规 透明 合理 方便 便捷 快捷 准时 新鲜 合适 积极 客气 宽敞 改善 进步 解决了 有趣 可爱 结实 稳当 清楚 明白 😊 😄 😁 😀 ☺ 🌹 🎉 💪 🤗 like');
polar(0.6, '便宜 快 安静 明亮 明显 可以 稳定 轻松 解压 👌 🙂');
polar(0.5, 'fine');
add('meh', { kind: 'neutral', value: -0.3 });
polar(1, 'clean friendly helpful professional comfortable');
polar(0.6, 'fast cheap');
polar(-1.2, 'dirty broken rude');
polar(-0.8, 'slow expensive noisy late');
// Emoji people send as the whole answer, on any question.
polar(1.2, '😘 😋 💖 💗 💓 💞 🥳 🤝 ✨ 🏆 🥇');
polar(-2, '🤮 🤢');
polar(-1.2, '💔 😫 😩 😖 😣 🙁 ☹ 😕 😓 😾 👿');
polar(0.3, 'ok okay');
// Thanks are friendly but say nothing about how good the service was.
polar(0.5, '谢谢 感谢 多谢 辛苦了 辛苦 加油 thanks thank', { courtesy: true });

// Negative, by strength.
polar(-2, '垃圾 恶心 极差 烂透 态度恶劣 骗子 黑店 坑爹 辣鸡 差到极点 最差 terrible awful worst 🤬 💩');
polar(-1.8, '恶劣 骗钱 骗人 欺骗 乱收费 隐形消费 强制消费 气死 宰客 白花钱 智商税');
polar(-1.5, '差劲 烂 糟糕 坑人 被坑 太坑 坑钱 忽悠 敷衍 粗鲁 无理 发霉 过期 失望透顶 再也不来 再也不会 再也不 差评 爱答不理 不理不睬 没人理 不理人 欺负 套路 骚扰 烦死 hate 😡 😠');
polar(-1.2, '不会再来 失望 后悔 生气 气人 难受 难用 难吃 难看 冷漠 冷淡 不耐烦 无语 糟心 窝火 强制 过敏 破损 瑕疵 副作用 故障 拖延 磨蹭 脏 臭 异味 丢件 骗 慢吞吞 坏了 不行 不如以前 醉了 disappointed 👎 😞 😔 😢 😭');
polar(-1, '不及预期 低于预期 人太多 不怎么样 不咋样 不咋地 不会再买 不会来了 差 坏 投诉 心累 郁闷 浪费 粗糙 掉色 好久 排长队 有问题 出问题 不专业 乱 bad poor 😤');
polar(-0.8, '不如 不太行 不大行 不怎么行 不来了 贵 慢 久 吵 推销 退款 遗憾 延迟 晚到 迟到 疼 油腻 服了 无奈 不对劲 🙄 😒');
polar(-0.7, '等了');
polar(-0.6, '人多 麻烦 挤 痛 可惜 催 半天 不足 不对');
// Everyday and review words that praise or blame without a stock sentiment word: what a product
// does (流畅, 卡顿), how a stay or a treatment went (一尘不染, 红肿), what staff did (敷衍了事).
// Events ("等了两个小时", "用了三天就坏了") are phrase patterns in verdictPatterns.ts.
polar(1.5, '没得挑 没得挑剔 没什么可挑剔 没啥可挑剔 没什么好挑剔 挑不出');
polar(1.2, '非常实在 一尘不染 严严实实 深入浅出 爱不释手 舍不得放下 立竿见影 物有所值 受益匪浅 表扬 宝藏 闭眼入 无限回购 必回购 流连忘返 舍不得走 人实在 很实在 挺实在 正宗 一遍又一遍 一觉睡到天亮 睡得很香 睡得香');
polar(1, '服帖 细腻 流畅 真诚 主动 消肿 年轻了 很会 太会 真会 挺会 特别会 搞定 收获 启发 受益 重新认识 不卡 没哭 手很轻 手法很轻 手法轻 手轻 记得我 省事 省钱 省时间 惊人 自然 回购 复购 大牌 良心价');
polar(1, '睡着', { negated: -1.2 });
polar(1, '热乎 热乎乎 吃撑 香香的 锃亮 利索 麻利 刚刚好 恰到好处 还好看 还好吃 还好用 还好玩 还好听 续了 续费 续卡 续课 美 不重样 新的认识 新认识 地道 一直在用');
// 都不/也不 are negators, so their 不错 must be read whole.
polar(1, '都不错 也不错 都挺好 也挺好');
polar(1, '难忘 甜美 很甜 嘴甜');
polar(0.6, '难得');
polar(-0.8, '难');
polar(0.8, '足 省了 清晰 看懂 看得懂 能看懂 柔软 很软 强 近');
polar(-1.5, '跑路 假的 避雷 踩雷 踩坑 劝退 拔草 千万别 慎入 慎选 假货 山寨 高仿 盗版 冒牌 以次充好 偷工减料 名不副实 照骗 货不对板 花钱买罪受 敷衍了事');
polar(-1.2, '返工 返修 返厂 重做 开不了机 开不开机 用不了 打不开 充不进电 没声音 死机 卡顿 卡死 卡得 闪退 黑屏 花屏 断连 掉线 破音 漏水 漏电 鼓包 烫手 起球 褪色 缩水 开裂 掉漆 划痕 压烂 压坏 磕碰 按不动 失灵 异响 使用痕迹 白跑 白来 白花 白做 白等 白费 对不上 不一致 不符 多收 多扣 乱扣 加收 不认账 耍赖 出尔反尔 弄丢 丢失 搞错 弄错 开错 发错 错发 算错 记错 错别字 没用 没什么用 没啥用 一点用没有 冤枉钱 冤 红肿 肿了 红疹 起疹 烂脸 脱皮 出血 头晕 烟味 霉味 怪味 臭味 凑字数 东拼西凑 越写越水 注水 废话连篇 时有时无 不配套 不兼容 不匹配 翻译腔 占线 打不通 不办事 睡不着 失眠 推来推去 踢皮球 扯皮 甩锅 推诿 不退');
polar(-1.2, '打碎 弄坏 摔坏 刮花 弄脏 碰坏 断网 断电 断水 停水 停电 两码事 两回事 预制菜 P的 p的 P过');
polar(-1, '三天两头 破了 嫌麻烦 嫌弃 尴尬 别扭 费劲 远 长队 字小 字太小 太淡 看不清 看不懂 歪了 歪的 塌了 嫌烦 严重 不像 掉色了 便宜没好货 一分钱一分货');
polar(-0.8, '排队 玩手机 只会 光会');
// Nouns that only carry sentiment when denied (没效果) or affirmed with a complaint.
polar(-0.8, '毛病', { negated: 1 });
// 问题 is as often a question as a problem; alone it says nothing, denied it praises.
polar(0, '问题', { negated: 0.8 });
polar(-1, '问题很多 问题太多 问题多 很多问题 一堆问题');
polar(-0.5, '缺点 意见', { negated: 0.6 });
polar(0, '效果 作用 用处 变化 诚意 素质 经验 服务意识', { negated: -1.2 });
polar(0, '效率 技术 水平 性价比 质量 品质 满意度 评价 口碑 回头率', { negated: -1.2, attribute: 'benefit' });
polar(0, '价格 价钱 收费 费用 价位 花费 成本 售价 定价', { attribute: 'cost' });
add('高 低', { kind: 'level', value: 1 });
entries.set('低', { kind: 'level', value: -1 });
polar(0, '感觉', { negated: -0.2 });
polar(0.8, '没问题');

// Review vocabulary by kind, so that replies about things nobody tuned on are still read.
// Failure results: what broke, leaked, stalled or was lost (a denial reverses them: 一点没洒).
polar(-1.2, '坏的 裂 裂了 断了 漏了 漏风 堵了 糊弄 推诿 拖着 拖了 坑 渣 很low 太low 好low low爆 放鸽子 爽约 挂我电话 挂电话 超时 延误 小病大修 照本宣科 车轱辘话 废话 重影 发烫 没电 模糊 糊了 糊成 拍糊 很糊 太糊 磕掉 磕坏 剪破 刮破 掉链子 不认 不承认 多要 乱要价 坐地起价 拉黑 无人问津 无人理会 爱搭不理 一问三不知 读不下去 看不下去 用不下去 吃不下去 听不下去 待不下去 住不下去 电钻声 装修声 施工声 声音大 动静大 有噪音 有杂音 杂音 嗡嗡 污渍 黄渍 汗渍 水渍 油渍 茶渍 霉点 虫 跳闸 不制冷 不制热 不出水 不加热 不通电');
polar(-1, '很卡 太卡 有点卡 好卡 卡住 卡了 卡卡的 一卡一卡 漏 糊 洒 洒了 磕着 磕了 黏 黏糊糊 油乎乎 很水 太水 好水 水分大 质量次 太次 很次 手续费 退货 退掉 差远了 不值当 缩了 掉毛 变形 起皮 开胶 掉皮 鸡肋 货不对版 与描述不符 与实物不符 不像图片 被骗 上当 吃亏 亏了');
// Praise by kind: value, reliability, comfort, care, and a result that exceeded the worry.
polar(1.5, '赚到了 值了 太值了 超值了 没白花 没白来 没白买 没白等 不亏 血赚 出乎意料 超出意料 意料之外的好 安利 种草 强推 力推 强烈推荐 二话不说 二话没说');
polar(1.2, '也不卡 都不卡 一点不卡 稳稳的 稳得很 厚实 扎实 静音 合身 正合适 刚好合适 大小合适 尺码标准 特别实在 真实在 太实在 蛮实在 挺靠谱 明明白白 清清楚楚 心里有底 宾至如归 丰富 齐全 很全 量足 分量足 料足 烫嘴 香喷喷 不肯脱 舍不得脱 舍不得放 不舍得 捧着看 拿着玩 够用 耐看 经用 抗造 皮实 回本 入手不亏 值回 免费升级');
polar(0.6, '免费');
polar(0.8, '稳 快速 飞快 很轻 干爽 蓬松');
polar(0, '续航 做工 用料 手感 色准 画质 音质 音效 屏幕 信号 电量 口感 分量 菜量 服务态度 隔音', { negated: -1.2, attribute: 'benefit' });
polar(0, '解释 道歉 说法 交代 回应 下文 回复 答复 反馈 音讯 回音', { negated: -1.2 });
// Evaluative adjectives of the trades reviews come from most: stays (陈旧, 闹中取静), devices
// (笨重, 轻薄, 跟手), books (空洞, 引人入胜), and staff (怠慢, 刁难).
polar(-1.5, '不敢恭维 傲慢 怠慢 刁难 不负责 不负责任 失职 水货 翻新机 残次品 次品 蟑螂 扰民 言之无物 不知所云 误人子弟 浪费时间 浪费生命 一言难尽');
polar(-1.2, '陈旧 老化 破旧 简陋 狭小 潮湿 霉 生硬 冷冰冰 推脱 空洞 肤浅 无聊 枯燥 乏味 啰嗦 拖沓 牵强 俗套 炒作 吵闹 蚊子 偏僻 笨重 死沉 很硬 太硬 硬邦邦 二手 没新意 没有新意 毫无新意 翻新 催眠 不值这个价 不值这价 对不起这个价');
polar(-1, '反光 指纹 平淡 偏重 太重 很重 偏小 小了 偏大 大了 不便 小贵 闷热 漏光 掉帧 发热严重');
polar(1.2, '精彩 感人 引人入胜 通俗易懂 经典 生动 幽默 优雅 便携 轻薄 精细 发人深省 值得一读 值得一看 好书 耐人寻味 闹中取静 精美 有质感 高大上 上档次 新颖 独特 有创意 实用 便利 文笔优美 优美 有意思 有内涵 有深度 干货 涨知识 长知识 醍醐灌顶 过硬 顺滑 丝滑 跟手 灵敏 清爽 透气 亲肤 显瘦 百搭 暖和 宽大 敞亮 通透');
// 大/小 judge only after an attribute: 空间大 and 噪音小 praise, 空间小 and 噪音大 blame.
polar(0, '配置 性能 分辨率 亮度 容量 内存 空间 面积 房间 速度 网速 清晰度 颜值', { attribute: 'benefit' });
polar(0, '噪音 噪声 辐射 色差 误差 油耗 能耗 功耗 发热 发热量 难度 门槛', { attribute: 'cost' });
add('大 小', { kind: 'level', value: 1 });
entries.set('小', { kind: 'level', value: -1 });
add('大概 大家 大约 大部分 大多 大多数 大都 大小 大人 大哥 大姐 大叔 大爷 大妈 大堂 大床 大门 大厅 大份 大衣 大学 大号 大码 大夫 大众 大大 大量 大致 大体 大型 大巴 大楼 大事 大方 大牌 小时 小哥 小姐 小孩 小朋友 小区 小样 小卡片 小费 小二 小吃 小菜 小份 小号 小码 小小 小心 小票 小程序 小玩具 小红书 小店 小伙 小妹 小姑娘 小猫 小狗 小宝 小米 小事 小问题 小毛病 小瑕疵 小朋友 小学 小孩子 小时候', { kind: 'ignore' });
entries.set('大牌', { kind: 'polar', value: 1 });
entries.set('小毛病', { kind: 'polar', value: -0.6, negated: 1 });
entries.set('小瑕疵', { kind: 'polar', value: -0.6 });
entries.set('小问题', { kind: 'polar', value: -0.6, negated: 0.8 });
entries.set('大方', { kind: 'polar', value: 1 });

// Set verdicts (成语 and net slang) and failures of devices, books and rooms.
polar(-1.5, '大失所望 不尽人意 不尽如人意 割韭菜 不建议 慎买 慎重购买 翻车 就这');
polar(-1.2, '差强人意 强差人意 断断续续 时断时续 坏点 蓝屏 自动关机 自动重启 充不上电 缺页 错字 错漏 漏液 无语子');
polar(-0.6, '美中不足');
polar(1, '佳 完好 延迟退房 延时退房');
polar(2, '极佳 最佳');
polar(1.2, '完好无损 引人深思 发人深思 值得深思');
polar(-1.2, '欠佳 反味 返味 发黄 卷边 卷了 太散 很散');
polar(1, '上手快 好上手 容易上手 很快上手 就上手了 一学就会');
polar(-1.2, '另加 加钱 另收 额外收');
polar(1.2, '名副其实 名不虚传 实至名归 货真价实 童叟无欺 真香 绝绝子 非凡');
polar(1.5, 'yyds');
polar(0, '素质 服务意识', { negated: -1.2, attribute: 'benefit' });
// Amenities that blame only when missing: 没有热水, 没窗户.
polar(0, '热水 暖气 空调 窗户 停车位 电梯 网络 wifi', { negated: -1 });
add('非', { kind: 'negator', strength: 'full' });

// Claims and worries whose praise or fear the rest of the reply answers: 说是海景房，… / 担心不好用，结果….
add('说是 说的 说好的 号称 宣传 宣传的 标称 写着 标的 承诺 说的是 以为 原以为 本以为 还以为 担心 一开始 本来 起初 刚开始', { kind: 'claim' });
add('结果 发现 没想到 谁知 谁知道 哪知 却 实际上 实际', { kind: 'contrast' });
add('卡里 办卡 会员卡 银行卡 信用卡 储值卡 次卡 年卡 月卡 卡券 卡片 打卡 刷卡 贺卡 卡通 购物卡 房卡 饭卡 卡车 关卡 香菜 香水 香港 香肠 香烟 香蕉 香菇 香槟 香料 烫发 烫染 烫头 虫草 卡号 一卡通 欢迎卡 多亏 幸亏 亏得 年轻 倒垃圾 扔垃圾 收垃圾 垃圾桶 垃圾袋 垃圾分类 把垃圾 不认识 不认得 装好 弄好 做好 搞好 修好 办好 写好 填好 放好 收好 包好 订好 排好 调好 接好 换好 洗好 剪好 拿好 穿好 戴好 停好 非要 非得 非说 非让 非逼 是非 非洲 非遗 除非 无非 莫非 非典 快中午 快天亮 快天黑 快下班 快到 快要 快一 快两 快三 快半 快十 快过年 快关门 判断 诊断 不轻 年轻', { kind: 'ignore' });

add('一般 一般般 马马虎虎 凑合 就那样 平平 😐 😑', { kind: 'neutral', value: -0.2 });
add('普通 普普通通 还凑合 没什么好说 没啥好说 没有什么好说', { kind: 'neutral', value: -0.1 });
add('将就', { kind: 'neutral', value: -0.3 });
add('中规中矩 正常 平常 老样子 没什么特别 没啥特别 没有什么特别 不好不坏 不好也不坏 有好有坏 好坏参半 有利有弊 无功无过 说不上好坏 不过不失', {
  kind: 'neutral',
  value: 0,
});
add('过得去 说得过去 还好', { kind: 'neutral', value: 0.2 });
add('还行 凑合吧', { kind: 'neutral', value: 0.3 });
add('还可以 还算可以', { kind: 'neutral', value: 0.4 });

add('非常 极其 极为 极度 超级 最 万分 不是一般的 不是一般地 不要太', { kind: 'degree', factor: 2 });
// "Never seen one this bad" intensifies: 未试过/没见过 do not negate what follows.
add('怎么可能不 怎么会不 哪能不 不可能不 未试过 没试过 没见过 从没见过 从来没见过 头一次见', { kind: 'degree', factor: 1.5 });
add('特别 十分 巨 极 特 强烈 super', { kind: 'degree', factor: 1.8 });
add('太 贼 超 太过', { kind: 'degree', factor: 1.7 });
add('很 相当 实在 绝对 如此 很是 格外 尤其 过于 very', { kind: 'degree', factor: 1.5 });
add('蛮 真的 真 真心 真是 更 更加 越来越 这么 那么 so really', { kind: 'degree', factor: 1.3 });
add('挺 够 确实 too', { kind: 'degree', factor: 1.2 });
add('比较 较 偏 算是', { kind: 'degree', factor: 1 });
add('还 还算', { kind: 'degree', factor: 0.8 });
add('有点 有点儿 有些 有一点 一点点 稍微 稍 略 略微 有一丢丢', { kind: 'degree', factor: 0.6 });
add('极了 透了', { kind: 'suffix', factor: 2 });
add('死了 爆了 得不行 得要命 到家了 炸了', { kind: 'suffix', factor: 1.8 });
add('得很', { kind: 'suffix', factor: 1.5 });
add('惨了', { kind: 'suffix', factor: 1.8 });

add('不 没 没有 无 未 别 并不 并没有 也不 都不 不会 不是 没什么 没啥 没有什么 谈不上 算不上 说不上 没感觉到 感觉不到 不至于 不能说 不存在 not', { kind: 'negator', strength: 'full' });
add('不太 不大 不怎么 不是很 不是太 不是特别 不是非常 不算 不算太 没那么 没有那么 没太 不那么 不够 不是那么', {
  kind: 'negator',
  strength: 'weak',
});
add('一点都不 一点也不 一点儿都不 一点儿也不 完全不 根本不 根本没 毫不 毫无 绝不 从不 从来不 从来没 丝毫不 压根不 压根没 全无 绝对不 肯定不 一点都没', {
  kind: 'negator',
  strength: 'strong',
});
add('都没有 也没有 都没 也没', { kind: 'postNegator' });
// Cleaning a defect away denies it as 没有 does: 油渍都洗掉了.
add('洗掉 擦掉 去掉 清掉 去除 清除 除掉 消除', { kind: 'postNegator' });
add('但是 但 不过 可是 然而 只是 就是 but', { kind: 'contrast' });
add('虽然 尽管 虽说 虽 although', { kind: 'concession' });
add(
  '好像 好多 好几 只好 正好 刚好 恰好 好奇 爱好 好友 好好 不好意思 差不多 差点 出差 误差 差价 价值 数值 值班 贵姓 贵店 宝贵 快递 快点 快了 超过 特色 特价 特意 不客气 没事 没关系 美容 不知道 不清楚 不确定 不用 不要 不然 不仅 不但 不管 不少 不停 不断 不久 不一定 好不好 满不满意 怎么样 还有 还是 还没 一点 要不 可不可以 能不能 是不是 会不会 有没有 快乐 尽快 赶快 加快 快来 慢慢 多久 永久 久等 差距 相差 牛肉 牛奶 牛排 充值 一般来说 负责人 好说 想好 没想好 说好 约好 定好 准备好 不过来 不好说 说不好 说不准 看不出 感觉到 感觉得到 永远 远程 强调 勉强 打错 没想到 想不到 不得不 不能不 不可否认 不用说 别的 别人 别处 别家 区别 分别 告别 性别 级别 类别 差别 识别 难道 难怪 难免 说什么好 该说什么 觉得 哪里 让我 令我 使我 叫我 让人 令人 一次 放假 请假 假期 休假 假日 美国 美元 美式 美团 美甲 美发 美白 美容院',
  { kind: 'ignore' },
);
// 快乐 is positive but usually part of festival greetings (新年快乐).

/** Every entry keyed by its (normalised) text. */
export const SENTIMENT_LEXICON: ReadonlyMap<string, LexiconEntry> = entries;

/** Length of the longest entry, for longest-first matching. */
export const LONGEST_ENTRY = Math.max(...[...entries.keys()].map((k) => k.length));

/** The longest entry starting with each first code unit: most characters start none, and are skipped at once. */
export const LONGEST_BY_FIRST: ReadonlyMap<string, number> = (() => {
  const longest = new Map<string, number>();
  for (const k of entries.keys()) longest.set(k.charAt(0), Math.max(longest.get(k.charAt(0)) ?? 0, k.length));
  return longest;
})();

import type { Analyzer } from '../core/analysis.ts';

/**
 * WeChat's built-in faces arrive as bracketed text (`[强]`, `[发怒]`). Those whose meaning is
 * clear are read as the emoji that means the same, which the analysers already understand; the
 * ambiguous ones ([微笑] is as often a cold smile as a warm one, [捂脸], [可怜], [坏笑], [囧]) stay text.
 */
export const WECHAT_FACES: Readonly<Record<string, string>> = {
  // Warm
  强: '👍',
  赞: '👍',
  好的: '👌',
  OK: '👌',
  玫瑰: '🌹',
  爱心: '❤️',
  鼓掌: '👏',
  呲牙: '😁',
  愉快: '😊',
  憨笑: '😄',
  偷笑: '😄',
  色: '😍',
  加油: '💪',
  庆祝: '🎉',
  // Cold
  弱: '👎',
  发怒: '😡',
  生气: '😠',
  流泪: '😢',
  快哭了: '😢',
  委屈: '😢',
  大哭: '😭',
  心碎: '💔',
  撇嘴: '😒',
  鄙视: '😒',
  白眼: '🙄',
  衰: '😞',
  难过: '😞',
  失望: '😞',
  叹气: '😞',
  抓狂: '😫',
  吐: '🤮',
  凋谢: '💔',
  便便: '💩',
};

const FACE_CODE = /\[([^[\]\s]{1,4})\]/g;

/** `[强][强] 挺好` → `👍👍 挺好`; unknown and ambiguous codes are left as they are. */
export function readWechatFaces(text: string): string {
  return text.replace(FACE_CODE, (code, name: string) => WECHAT_FACES[name] ?? code);
}

/** The analyser reads faces as emoji; the stored answer keeps what the customer sent. */
export function withWechatFaces<A extends Analyzer>(analyzer: A): A {
  return {
    ...analyzer,
    analyze: (request, context) => analyzer.analyze(request.text.includes('[') ? { ...request, text: readWechatFaces(request.text) } : request, context),
  };
}

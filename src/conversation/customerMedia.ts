import { isRetryableError } from '../core/errors.ts';
import { conversationKey, type InboundMessage } from '../core/messages.ts';
import type { MediaFile } from '../core/ports.ts';
import type { TranscriptMedia } from '../core/sessions.ts';
import type { ConversationDeps } from './conversationTypes.ts';

type MediaMessage = Extract<InboundMessage, { kind: 'media' }>;

export const IMAGE_REPLY = '收到图片，我会转给顾问看看～';
export const VOICE_UNHEARD_REPLY = '抱歉，这条语音我没能听清，麻烦您打字回复一下哦～';
export const VOICE_NO_SPEECH_REPLY = '收到您的语音啦～不过我暂时还听不了语音，麻烦您打字回复一下哦，谢谢！';

/** What a voice note or picture comes to: text to read like a typed answer, or a kind reply and a re-ask. */
export type MediaReading = { media: TranscriptMedia; text: string } | { media: TranscriptMedia; text: null; reply: string };

/**
 * Fetches a customer's voice note or picture from the channel, keeps it for the advisor, and
 * for voice asks the speech transcriber (when configured) what was said. A channel failure that
 * may pass is rethrown (the inbox retries the message; saving is idempotent by message id); any
 * other failure keeps the message as a reference without the file, and the customer is asked to
 * type: nothing they sent is dropped.
 */
export function createMediaReader(deps: ConversationDeps) {
  const log = deps.logger.child({ module: 'conversation.media' });

  async function keep(message: MediaMessage): Promise<{ media: TranscriptMedia; file: MediaFile | null }> {
    const media: TranscriptMedia = { type: message.mediaType };
    if (!deps.channel.fetchMedia) return { media, file: null };
    let file: MediaFile;
    try {
      file = await deps.channel.fetchMedia(message.conversation, message.mediaId);
    } catch (error) {
      if (isRetryableError(error)) throw error;
      log.warn({ err: error, msgId: message.id, mediaType: message.mediaType }, 'customer media could not be fetched; kept as a reference');
      return { media, file: null };
    }
    media.contentType = file.contentType;
    if (deps.media) {
      const saved = await deps.media.save({ key: message.id, conversationKey: conversationKey(message.conversation), type: message.mediaType, file, at: message.sentAt });
      media.fileId = saved.id;
    }
    return { media, file };
  }

  async function read(message: MediaMessage): Promise<MediaReading> {
    const { media, file } = await keep(message);
    if (message.mediaType === 'image') return { media, text: null, reply: IMAGE_REPLY };
    if (!deps.speech) return { media, text: null, reply: VOICE_NO_SPEECH_REPLY };
    if (!file) return { media, text: null, reply: VOICE_UNHEARD_REPLY };
    const heard = await deps.speech.transcribe(file);
    if (!heard.ok) {
      log.info({ msgId: message.id, reason: heard.reason }, 'voice note not understood; asking to type');
      return { media, text: null, reply: VOICE_UNHEARD_REPLY };
    }
    return { media: { ...media, heard: heard.text }, text: heard.text };
  }

  return { read };
}

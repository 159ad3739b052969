// The same kind of /help answer SupportBot gives: a private list of what the bot can do, about the same size.
module.exports = [
  'SupportBot: peer support for people harmed by someone in a helping role.',
  'Everything I answer here is visible only to you.',
  '',
  '/redflags <kind of helper>: a checklist of boundary crossings to look out for.',
  '/reflect <theme>: questions to think through, at your own pace.',
  '/complain <profession> <where>: where and how a complaint can be made.',
  '/crisis: crisis and support lines for your country.',
  '/privacy: what is stored about you, and for how long.',
  '/forget: delete everything stored about you, at once.',
  '',
  'Write to me in a direct message to talk with a trained volunteer. I am a bot, not therapy and not an emergency service.',
].join('\n');

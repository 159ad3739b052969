// A minimal Slack Bolt app in Socket Mode for the benchmark matrix: acks /help with a private answer.
// SLACK_API is the fake's http://127.0.0.1:PORT/api/; the Socket Mode URL is what its apps.connections.open returns.
const { App, LogLevel } = require('@slack/bolt');
const help = require('./help-text');

const clientOptions = { slackApiUrl: process.env.SLACK_API };
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.ERROR,
  clientOptions,
  // Bolt hands the Socket Mode client these options (its apps.connections.open call).
  installerOptions: { clientOptions },
});
app.command('/help', async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: help });
});
(async () => {
  await app.start();
  console.log('ready');
})();

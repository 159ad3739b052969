// A minimal discord.js 14 bot for the benchmark matrix: answers /help privately, nothing else.
// The REST base comes from DISCORD_API (the fake's http://127.0.0.1:PORT/api); the gateway URL is what the fake's
// GET /gateway/bot returns, as with the real Discord.
const { Client, Events, GatewayIntentBits, MessageFlags } = require('discord.js');
const help = require('./help-text');

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API } });
client.on(Events.InteractionCreate, async (interaction) => {
  if (!interaction.isChatInputCommand() || interaction.commandName !== 'help') return;
  try {
    await interaction.reply({ content: help, flags: MessageFlags.Ephemeral });
  } catch (e) {
    console.error('reply failed:', e.code ?? e.message);
  }
});
client.once(Events.ClientReady, () => console.log('ready'));
client.login(process.env.DISCORD_TOKEN);

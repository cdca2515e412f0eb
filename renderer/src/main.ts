import { mount } from 'svelte';
import App from './components/App.svelte';
import { createWsApi } from './lib/wsApi.ts';
import './app.css';

// In Electron the preload has put the API on window; in a browser it comes over the host's WebSocket.
const desktop = window.parley !== undefined;
const api = window.parley ?? createWsApi();
mount(App, { target: document.getElementById('app')!, props: { api, desktop } });

import { createApp } from 'vue';
import { createClient } from './api/client';
import App from './App';
import './styles.css';

createApp(App, { client: createClient() }).mount('#app');

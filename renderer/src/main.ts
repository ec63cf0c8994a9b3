import { createApp } from 'vue';
import { createClient } from './api/client';
import App from './App.vue';
import { API_KEY } from './composables/api-context';
import { createAppRouter } from './router';
import './styles.css';

// The client first: in serve mode it takes the access token out of the address before the router reads it.
const client = createClient();
createApp(App).provide(API_KEY, client).use(createAppRouter()).mount('#app');

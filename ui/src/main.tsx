import { render } from 'preact';
import { adoptKeyFromFragment } from './api.js';
import { App } from './app.js';
import './styles.css';

adoptKeyFromFragment();
render(<App />, document.getElementById('app')!);

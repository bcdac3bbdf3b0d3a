import { bootstrapApp } from '@widget/common';
import { gatewayApp } from './gateway-app';

void bootstrapApp(gatewayApp);

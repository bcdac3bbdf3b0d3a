import { Errors } from '@widget/common';

export const workspaceNotFound = () => Errors.notFound('workspace');
export const widgetNotFound = () => Errors.notFound('widget');

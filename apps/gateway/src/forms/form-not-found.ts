import { AppError } from '@widget/common';

/** Same code whether the form is unknown, malformed or hidden from this widget. */
export const formNotFound = () => new AppError('form_not_found', 'No such form.', { reason: 'form_not_found' });

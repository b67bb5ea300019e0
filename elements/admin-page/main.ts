// The standalone admin page: its shell element, which loads the list and project elements.
import '../secret-managers-admin/secret-managers-admin.ts';

/** /api/users/me: the signed-in user's profile, photo and account deletion. */
import { deleteAccount } from '../../services/account-deletion.ts';
import { listOwnActivity } from '../../services/activity.ts';
import { PHOTO_URL_SECONDS, readPhoto, removePhoto, setPhoto } from '../../services/photo.ts';
import { meOf, updateProfile } from '../../services/users.ts';
import { meta } from '../plugins/auth.ts';
import { ProfileAnswer, User } from '../schemas/auth.ts';
import { Message } from '../schemas/common.ts';
import {
  ActivityList,
  ActivityQuery,
  PhotoAnswer,
  PhotoParams,
  ProfileUpdateBody,
} from '../schemas/users.ts';

import { callerId, callerUser, principalOf, signedInRoutes } from '../signed-in.ts';
import { fileFrom, MULTIPART, withUploads } from '../uploads.ts';
import type { App, RouteOptions } from './route-kit.ts';

const PHOTO_CACHE = 'private, max-age=31536000, immutable';
const PHOTO_REDIRECT_CACHE = `private, max-age=${Math.floor(PHOTO_URL_SECONDS / 5)}`;

export async function usersRoutes(app: App, { deps }: RouteOptions) {
  const answers = new WeakMap<object, string>();

  await signedInRoutes(app, async (scope) => {
    scope.get(
      '/me',
      {
        schema: {
          tags: ['Users'],
          summary: 'The signed-in user: identity and profile',
          response: { 200: User },
        },
      },
      // The guard's one read of the user's record holds all of it: no read of its own. The JSON is
      // kept per record object: a store that answers from memory (SQLite) hands out the same frozen
      // record until it changes, so repeat requests send the same string; a record read anew
      // (DynamoDB) is serialized anew. It decides nothing: the guard has already let the request in.
      async (request, reply) => {
        const user = callerUser(request);
        let json = answers.get(user);
        if (json === undefined) {
          // The route's own serializer, exactly as Fastify would use it.
          const encode = reply.getSerializationFunction('200');
          if (!encode) return meOf(user.profile, user.billing);
          json = encode(meOf(user.profile, user.billing) as never);
          answers.set(user, json);
        }
        // Already JSON: with a JSON content type Fastify sends a string as it is.
        return reply.type('application/json; charset=utf-8').send(json as never);
      },
    );

    scope.put(
      '/me',
      {
        schema: {
          tags: ['Users'],
          summary:
            'Update name, phone number (national or international, stored in E.164) and postal address; null clears a field',
          description:
            'Any other field (email, groups, plan, user_id...) is refused with 400 VALIDATION_FAILED.',
          body: ProfileUpdateBody,
          response: { 200: ProfileAnswer },
        },
      },
      async (request) => {
        const user = callerUser(request);
        const profile = await updateProfile(deps, user.profile, request.body, meta(request));
        return { message: 'Profile saved.', user: meOf(profile, user.billing) };
      },
    );

    scope.delete(
      '/me',
      {
        schema: {
          tags: ['Users'],
          summary: 'Delete the account: identity, profile, photo, files and sessions',
          description:
            'The account is locked first (no sign-in, every token void), then its data is removed, then the identity. A 503 means it is locked but not fully removed; an administrator can finish it.',
          response: { 200: Message },
        },
      },
      async (request, reply) => {
        await deleteAccount(deps, callerId(request), callerId(request), meta(request));
        if (principalOf(request).via === 'cookie') app.sessionCookie.clear(reply);
        return { message: 'Your account and everything in it have been deleted.' };
      },
    );

    await withUploads(scope, (uploads) => {
      uploads.put(
        '/me/photo',
        {
          config: { contentTypes: MULTIPART },
          schema: {
            tags: ['Users'],
            summary: 'Set the profile photo (multipart: one PNG, JPEG or WebP file, judged by its bytes)',
            consumes: ['multipart/form-data'],
            response: { 200: PhotoAnswer },
          },
        },
        async (request) => {
          const upload = await fileFrom(request, deps.config.photoMaxBytes);
          const { photoUrl } = await setPhoto(deps, callerId(request), upload.stream, meta(request));
          return { photo_url: photoUrl };
        },
      );
    });

    scope.delete(
      '/me/photo',
      {
        schema: { tags: ['Users'], summary: 'Remove the profile photo' },
      },
      async (request, reply) => {
        await removePhoto(deps, callerId(request), meta(request));
        return reply.status(204).send();
      },
    );

    scope.get(
      '/me/photo/:version/:size',
      {
        schema: {
          tags: ['Users'],
          summary:
            'The profile photo as WebP (or, on S3, a 302 to a short-lived URL); the URL changes with every new photo, so it is cached for a year',
          params: PhotoParams,
        },
      },
      async (request, reply) => {
        const size = Number(request.params.size) as 64 | 256 | 512;
        const photo = await readPhoto(deps, callerId(request), request.params.version, size);
        if (!photo)
          return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'No such photo.' } });
        // S3: the short-lived URL, the redirect cached for a fraction of its life.
        if (photo.url !== null)
          return reply.header('cache-control', PHOTO_REDIRECT_CACHE).redirect(photo.url, 302);
        return reply
          .header('content-type', 'image/webp')
          .header('content-length', photo.blob.info.size)
          .header('cache-control', PHOTO_CACHE)
          .send(photo.blob.body);
      },
    );

    scope.get(
      '/me/activity',
      {
        schema: {
          tags: ['Users'],
          summary:
            'Recent activity on your account (sign-ins, failures, MFA, password, files, billing), newest first',
          description:
            "Bookkeeping (group changes, administrators' views) is left out, so a page may hold fewer events than `limit`: follow next_cursor while there is one.",
          querystring: ActivityQuery,
          response: { 200: ActivityList },
        },
      },
      async (request) => {
        const { limit = '20', cursor } = request.query;
        const page = await listOwnActivity(deps, callerId(request), {
          limit: Number(limit),
          ...(cursor ? { cursor } : {}),
        });
        return {
          events: page.items.map((e) => ({ at: e.at, type: e.type, outcome: e.outcome, ip: e.ip })),
          ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
        };
      },
    );
  });
}

/**
 * Enum members in any case (Graph reads them so; Microsoft's C# calling SDK sends them PascalCase, e.g.
 * `"requestedModalities":["Audio"]`): accepted and rewritten to the documented spelling before anything reads them.
 */
import { describe, expect, it } from 'vitest';
import { answerBodySchema, createCallBodySchema } from '../../src/api/schemas/bodies.js';
import { bodyValidator, canonicalizeEnums } from '../../src/http/validate.js';

describe('canonicalizeEnums', () => {
  const schema = {
    type: 'object',
    properties: {
      modes: { type: 'array', items: { type: 'string', enum: ['audio', 'videoBasedScreenSharing'] } },
      nested: { type: 'object', properties: { scope: { anyOf: [{ enum: ['organization', null] }] } } },
    },
  };

  it('rewrites members in another case, in arrays, nested objects and anyOf branches', () => {
    const body = {
      modes: ['Audio', 'VIDEOBASEDSCREENSHARING', 'audio'],
      nested: { scope: 'Organization' },
      other: 'Audio',
    };
    canonicalizeEnums(schema, body);
    expect(body).toEqual({
      modes: ['audio', 'videoBasedScreenSharing', 'audio'],
      nested: { scope: 'organization' },
      other: 'Audio',
    });
  });

  it('leaves non-members and non-strings alone for the validator to name', () => {
    const body = { modes: ['Loud', 3, null], nested: null };
    canonicalizeEnums(schema, body);
    expect(body).toEqual({ modes: ['Loud', 3, null], nested: null });
  });
});

describe('request bodies with PascalCase enums (as the C# calling SDK sends them)', () => {
  const parseCreate = bodyValidator<{ requestedModalities: string[] }>(createCallBodySchema);
  const parseAnswer = bodyValidator<{ acceptedModalities: string[] }>(answerBodySchema);
  const media = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

  it('accepts them and hands on the documented spelling', () => {
    const created = parseCreate({
      callbackUri: 'https://bot.example/cb',
      mediaConfig: media,
      requestedModalities: ['Audio', 'Video'],
      direction: 'Outgoing',
    });
    expect(created.requestedModalities).toEqual(['audio', 'video']);
    expect(parseAnswer({ mediaConfig: media, acceptedModalities: ['AUDIO'] }).acceptedModalities).toEqual(['audio']);
  });

  it('still refuses a value that is no member in any case, naming it', () => {
    expect(() =>
      parseCreate({
        callbackUri: 'https://bot.example/cb',
        mediaConfig: media,
        requestedModalities: ['Audio', 'Loud'],
      }),
    ).toThrow(expect.objectContaining({ status: 400, target: 'requestedModalities[1]' }));
  });
});

import { type ChangeEvent, type FormEvent, useEffect, useState } from 'react';
import { api, type Me, type PhotoUploaded, upload } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Button, Card, Field, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

const E164 = /^\+[1-9]\d{6,14}$/;

export default function Profile() {
  const { setUser } = useAuth();
  const [me, setMe] = useState<Me | null>(null);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [line1, setLine1] = useState('');
  const [city, setCity] = useState('');
  const [postal, setPostal] = useState('');
  const [country, setCountry] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  const [photoFile, setPhotoFile] = useState<File | null>(null);
  const [photoBusy, setPhotoBusy] = useState(0);
  const [photoError, setPhotoError] = useState<string | null>(null);

  useEffect(() => {
    api.me().then(
      (m) => {
        setMe(m);
        setName(m.name ?? '');
        setPhone(m.phone_number ?? '');
        setLine1(m.address?.line1 ?? '');
        setCity(m.address?.city ?? '');
        setPostal(m.address?.postal_code ?? '');
        setCountry(m.address?.country ?? '');
      },
      (e) => setError(messageOf(e)),
    );
  }, []);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  if (!me) return error ? <Notice kind="error">{error}</Notice> : <Loading />;

  const phoneError =
    phone && !E164.test(phone.replace(/[\s-]/g, ''))
      ? 'Use the international form, e.g. +44 20 7946 0958.'
      : null;
  const countryError =
    country && !/^[A-Za-z]{2}$/.test(country) ? 'Use the two-letter country code, e.g. GB.' : null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (phoneError || countryError) return;
    setBusy(true);
    setSaved(null);
    setError(null);
    const address =
      line1 || city || postal || country
        ? {
            ...(line1 ? { line1 } : {}),
            ...(city ? { city } : {}),
            ...(postal ? { postal_code: postal } : {}),
            ...(country ? { country: country.toUpperCase() } : {}),
          }
        : null;
    try {
      const out = await api.updateMe({
        name: name.trim() || null,
        phone_number: phone ? phone.replace(/[\s-]/g, '') : null,
        address,
      });
      setMe(out.user);
      setUser(out.user);
      setSaved('Your profile is saved.');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setPhotoError(null);
    if (!file) return;
    if (!['image/png', 'image/jpeg', 'image/webp'].includes(file.type)) {
      setPhotoError('Choose a PNG, JPEG or WebP image.');
      return;
    }
    setPhotoFile(file);
    setPreview(URL.createObjectURL(file));
  };
  const uploadPhoto = async () => {
    if (!photoFile) return;
    setPhotoBusy(0.01);
    try {
      await upload<PhotoUploaded>('/api/users/me/photo', 'PUT', photoFile, (f) =>
        setPhotoBusy(Math.max(0.01, f)),
      );
      const fresh = await api.me();
      setMe(fresh);
      setUser(fresh);
      setPhotoFile(null);
      setPreview(null);
    } catch (err) {
      setPhotoError(messageOf(err));
    } finally {
      setPhotoBusy(0);
    }
  };

  return (
    <div>
      <h1 tabIndex={-1}>Profile</h1>
      <div className="grid-2">
        <Card title="Your details">
          <form onSubmit={save} noValidate>
            {saved ? <Notice kind="success">{saved}</Notice> : null}
            {error ? <Notice kind="error">{error}</Notice> : null}
            <Field
              label="Email"
              name="email"
              value={me.email}
              readOnly
              hint={me.email_verified ? 'Confirmed' : 'Not confirmed'}
            />
            <Field
              label="Name"
              name="name"
              autoComplete="name"
              value={name}
              maxLength={200}
              onChange={(e) => setName(e.target.value)}
            />
            <Field
              label="Phone"
              name="phone"
              type="tel"
              autoComplete="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              error={phoneError}
            />
            <Field
              label="Street address"
              name="line1"
              autoComplete="address-line1"
              value={line1}
              onChange={(e) => setLine1(e.target.value)}
            />
            <div className="row">
              <Field
                label="City"
                name="city"
                autoComplete="address-level2"
                value={city}
                onChange={(e) => setCity(e.target.value)}
              />
              <Field
                label="Postal code"
                name="postal"
                autoComplete="postal-code"
                value={postal}
                onChange={(e) => setPostal(e.target.value)}
              />
              <Field
                label="Country"
                name="country"
                autoComplete="country"
                maxLength={2}
                value={country}
                onChange={(e) => setCountry(e.target.value)}
                error={countryError}
              />
            </div>
            <Button type="submit" busy={busy}>
              Save profile
            </Button>
          </form>
        </Card>
        <Card title="Photo">
          <div className="photo-box">
            {preview || me.photo_url ? (
              <img
                className="avatar"
                src={preview ?? me.photo_url ?? ''}
                alt={preview ? 'Preview of your new photo' : 'Your photo'}
                width="160"
                height="160"
              />
            ) : (
              <div className="avatar avatar-empty" aria-hidden="true">
                {(me.name ?? me.email).slice(0, 1).toUpperCase()}
              </div>
            )}
            <p className="muted">
              PNG, JPEG or WebP. It is cropped to a square around its most interesting part and stored without
              its metadata (camera, location).
            </p>
            <label className="btn btn-secondary file-pick">
              Choose a photo
              <input
                type="file"
                accept="image/png,image/jpeg,image/webp"
                onChange={pick}
                className="visually-hidden"
              />
            </label>
            {photoFile ? (
              <Button onClick={uploadPhoto} busy={photoBusy > 0}>
                Upload photo
              </Button>
            ) : null}
            {photoBusy > 0 ? <progress value={photoBusy} max={1} aria-label="Photo upload" /> : null}
            {photoError ? <Notice kind="error">{photoError}</Notice> : null}
          </div>
        </Card>
      </div>
      <p className="muted">
        Member since {formatDate(me.created_at)} · Plan: {me.plan.charAt(0).toUpperCase() + me.plan.slice(1)}
      </p>
    </div>
  );
}
